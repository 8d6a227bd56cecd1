using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Access;

/// <summary>
/// Every door × open class × key state: the status, and that no conditional row ever leaves without a
/// live grant. Doors: REST rows, REST download, OData, GraphQL, CKAN's datastore_search.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class DoorMatrixTests(DataOpenFactory factory)
{
    private const string Conditional = "enterprise-energy-consumption";

    private static readonly (string Id, string Class, string ODataSet, string GraphQLField, string Column)[] Datasets =
    [
        ("bus-stops", "unconditional", "BusStops", "busStops", "stop_id"),
        (Conditional, "conditional", "EnterpriseEnergyConsumption", "enterpriseEnergyConsumption", "year"),
        ("enterprise-tax-details", "not-open", "EnterpriseTaxDetails", "enterpriseTaxDetails", "year"),
    ];

    private static readonly string[] Doors = ["rest", "download", "odata", "graphql", "ckan"];

    /// <summary>A grant whose application named some fields (year among them, which the GraphQL call selects).</summary>
    private const string FieldGrant = "granted (some fields)";

    [Fact]
    public async Task Every_door_honours_open_class_key_state_and_grants()
    {
        var keys = await KeysInEveryStateAsync();
        var failures = new List<string>();
        foreach (var (state, key) in keys)
        {
            foreach (var dataset in Datasets)
            {
                foreach (var door in Doors)
                {
                    var (status, rows, body) = await CallAsync(door, dataset, key);
                    var expected = Expected(state, dataset.Class);
                    var servesRows = expected == HttpStatusCode.OK;
                    if (status != expected || (servesRows ? rows == 0 : rows > 0))
                    {
                        failures.Add($"{door} × {dataset.Class} × {state}: expected {(int)expected}{(servesRows ? " with rows" : " without rows")}, got {(int)status} with {rows} rows: {Shorten(body)}");
                    }

                    if (state == FieldGrant && dataset.Class == "conditional" && body.Contains("credit_code", StringComparison.Ordinal))
                    {
                        failures.Add($"{door} × {dataset.Class} × {state}: a field outside the grant was served: {Shorten(body)}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Every door recorded the granted key's conditional reads in the audit log.
        var granted = keys.Single(k => k.State == "granted").Key!;
        await using var cmd = factory.Database.Writer.CreateCommand(
            "SELECT door, sum(rows) FROM audit.access_log WHERE key_public_id = $1 AND dataset = $2 GROUP BY door ORDER BY door");
        cmd.Parameters.Add(new() { Value = granted.Substring(4, 8) });
        cmd.Parameters.Add(new() { Value = Conditional });
        var audited = new Dictionary<string, long>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                audited[r.GetString(0)] = r.GetInt64(1);
            }
        }

        Assert.Equal(["ckan", "download", "graphql", "odata", "rest"], audited.Keys.Order(StringComparer.Ordinal));
        Assert.All(audited.Values, rows => Assert.True(rows > 0));
    }

    private static HttpStatusCode Expected(string state, string openClass) => (state, openClass) switch
    {
        ("revoked" or "expired", _) => HttpStatusCode.Unauthorized,
        (_, "not-open") => HttpStatusCode.NotFound,
        ("granted" or FieldGrant, "conditional") => HttpStatusCode.OK,
        (_, "conditional") => HttpStatusCode.Forbidden,
        _ => HttpStatusCode.OK,
    };

    private async Task<(HttpStatusCode Status, int Rows, string Body)> CallAsync(string door, (string Id, string Class, string ODataSet, string GraphQLField, string Column) d, string? key)
    {
        using var client = key is null ? factory.CreateClient() : AccessHelpers.ClientWithKey(factory, key);
        switch (door)
        {
            case "rest":
            {
                var r = await client.GetAsync($"/api/v1/datasets/{d.Id}/rows?limit=2");
                var body = await r.Content.ReadAsStringAsync();
                var rows = r.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("rows").GetArrayLength() : 0;
                return (r.StatusCode, rows, body);
            }

            case "download":
            {
                var r = await client.GetAsync($"/api/v1/datasets/{d.Id}/download?format=csv&limit=2");
                var body = await r.Content.ReadAsStringAsync();
                var rows = r.IsSuccessStatusCode ? body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1 : 0;
                return (r.StatusCode, rows, body);
            }

            case "ckan":
            {
                var r = await client.GetAsync($"/api/3/action/datastore_search?resource_id={d.Id}&limit=2");
                var body = await r.Content.ReadAsStringAsync();
                var rows = r.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("result").GetProperty("records").GetArrayLength() : 0;
                return (r.StatusCode, rows, body);
            }

            case "odata":
            {
                var r = await client.GetAsync($"/odata/{d.ODataSet}?$top=2");
                var body = await r.Content.ReadAsStringAsync();
                var rows = r.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("value").GetArrayLength() : 0;
                return (r.StatusCode, rows, body);
            }

            default:
            {
                var query = $"{{ {d.GraphQLField}(first: 2) {{ nodes {{ {d.Column} }} }} }}";
                using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
                {
                    Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"),
                };
                request.Headers.Accept.ParseAdd("application/graphql-response+json");
                var r = await client.SendAsync(request);
                var body = await r.Content.ReadAsStringAsync();
                if (r.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return (r.StatusCode, 0, body);
                }

                var json = JsonDocument.Parse(body).RootElement;
                var rows = json.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                    && data.TryGetProperty(d.GraphQLField, out var field) && field.ValueKind == JsonValueKind.Object
                    ? field.GetProperty("nodes").GetArrayLength() : 0;
                // GraphQL answers refusals in `errors`: map its codes onto the HTTP statuses of the other doors.
                var code = json.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0
                    ? errors[0].TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : "INVALID"
                    : null;
                var status = code switch
                {
                    null => HttpStatusCode.OK,
                    "FORBIDDEN" => HttpStatusCode.Forbidden,
                    // A not-open dataset has no field in the schema at all: the document does not validate.
                    _ => HttpStatusCode.NotFound,
                };
                return (status, rows, body);
            }
        }
    }

    /// <summary>One key per state: none, valid, revoked, expired, granted, granted some fields, grant revoked, grant expired.</summary>
    private async Task<List<(string State, string? Key)>> KeysInEveryStateAsync()
    {
        var list = new List<(string, string?)> { ("none", null) };
        list.Add(("valid", (await AccessHelpers.NewKeyAsync(factory)).Key));

        var (revoked, _) = await AccessHelpers.NewKeyAsync(factory);
        using (var c = AccessHelpers.ClientWithKey(factory, revoked))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await c.DeleteAsync("/api/v1/keys/me")).StatusCode);
        }

        list.Add(("revoked", revoked));
        var (expired, _) = await AccessHelpers.NewKeyAsync(factory, expiresAt: DateTimeOffset.UtcNow.AddSeconds(2));

        var publisher = factory.Catalog.Current.Find(Conditional)!.Metadata.Publisher;
        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, publisher);
        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);

        async Task<(string Key, long GrantId)> GrantedAsync(string[]? fields = null)
        {
            var (key, _) = await AccessHelpers.NewKeyAsync(factory);
            using var applicant = AccessHelpers.ClientWithKey(factory, key);
            var application = await (await applicant.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(Conditional, fields: fields))).Content.ReadFromJsonAsync<JsonElement>();
            var approved = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{application.GetProperty("id").GetInt64()}/approve", new { });
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            return (key, (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("grantId").GetInt64());
        }

        list.Add(("granted", (await GrantedAsync()).Key));
        list.Add((FieldGrant, (await GrantedAsync(["year", "energy_tce"])).Key));
        var (grantRevoked, revokedGrant) = await GrantedAsync();
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync($"/api/v1/steward/grants/{revokedGrant}/revoke", new { reason = "test" })).StatusCode);
        list.Add(("grant revoked", grantRevoked));

        var (grantExpired, expiredGrant) = await GrantedAsync();
        // Approvals run at least to the end of today: age this grant in the database instead of waiting.
        await using (var cmd = factory.Database.Writer.CreateCommand("UPDATE access.grants SET valid_from = now() - interval '2 days', valid_until = now() - interval '1 second' WHERE id = $1"))
        {
            cmd.Parameters.Add(new() { Value = expiredGrant });
            await cmd.ExecuteNonQueryAsync();
        }

        list.Add(("grant expired", grantExpired));
        await Task.Delay(TimeSpan.FromSeconds(2.5) - TimeSpan.FromSeconds(0)); // the expiring key is past its expiry by now
        list.Add(("expired", expired));
        return list;
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
