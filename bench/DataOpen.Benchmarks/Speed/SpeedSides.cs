using System.Globalization;
using System.Text.Json;
using DataOpen.Api.GraphQL;
using DataOpen.Api.OData;
using DataOpen.Benchmarks.Harness;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Benchmarks.Speed;

/// <summary>One side of a comparison: who serves it, what it looks up, the load's requests, or why it is not available.</summary>
public sealed record Side(string Door, string Query, string Label, Uri? BaseAddress, IReadOnlyList<LoadRequest> Requests, int Pid, string? NotAvailable = null)
{
    public static Side Missing(string door, string query, string why) => new(door, query, "", null, [], 0, why);
}

/// <summary>
/// Builds the sides of the page and by-key comparisons for one published table: the floor (bare Npgsql), the
/// three doors and PostGraphile. Every side's first request is checked against the floor's answer (same
/// first row, same count) before anything is timed; a door whose endpoint does not exist yet is "not available".
/// </summary>
public sealed class SpeedSides(BenchEnvironment env, string datasetId, long rows, Uri floor, PostGraphilePeer? peer)
{
    public const string Columns = "id station measured_at pm25 pm10 no2 o3 aqi level";
    private const string GraphQLAccept = "application/graphql-response+json";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly HttpClient client = env.CreateClient();

    /// <summary>The ids the by-key loads cycle through: 512 spread over the table.</summary>
    public IReadOnlyList<long> Ids { get; } = Enumerable.Range(0, 512).Select(k => AirQualityData.IdBase + 1 + (((k * 2654435761L) + 12345) % rows)).ToList();

    private static IEnumerable<string> Stations => Enumerable.Range(0, AirQualityData.Stations).Select(AirQualityData.Station);

    public async Task<List<Side>> PageSidesAsync()
    {
        var set = ODataModel.EntitySetName(datasetId);
        var rowsField = await RowsFieldAsync();
        var sides = new List<Side>
        {
            new("floor", "page", "bare Kestrel + Npgsql, the doors' compiled SQL", floor, Stations.Select(s => new LoadRequest("GET", $"/floor/page/{s}")).ToList(), Environment.ProcessId),
            new("REST", "page", "GET …/rows?station=S&order=-measured_at&limit=100", env.BaseAddress,
                Stations.Select(s => new LoadRequest("GET", $"/api/v1/datasets/{datasetId}/rows?station={s}&order=-measured_at&limit=100")).ToList(), Environment.ProcessId),
            new("OData", "page", "$filter=station eq 'S'&$orderby=measured_at desc&$top=100", env.BaseAddress,
                Stations.Select(s => new LoadRequest("GET", $"/odata/{set}?$filter={Uri.EscapeDataString($"station eq '{s}'")}&$orderby={Uri.EscapeDataString("measured_at desc")}&$top=100")).ToList(), Environment.ProcessId),
            new("GraphQL", "page", $"{rowsField}(filter: {{station: {{eq: S}}}}, orderBy: measured_at DESC, first: 100)", env.BaseAddress,
                Stations.Select(s => Gql($"query($s: String!) {{ {rowsField}(filter: {{ station: {{ eq: $s }} }}, orderBy: [{{ field: measured_at, direction: DESC }}], first: 100) {{ nodes {{ {Columns} }} }} }}", new { s })).ToList(), Environment.ProcessId),
        };
        if (peer is not null)
        {
            sides.Add(new("PostGraphile", "page", $"{peer.AllField}(condition: {{station: S}}, orderBy: MEASURED_AT_DESC, first: 100)", peer.BaseAddress,
                Stations.Select(s => Gql($"query($s: String!) {{ {peer.AllField}(condition: {{ station: $s }}, orderBy: [MEASURED_AT_DESC], first: 100) {{ nodes {{ {PeerColumnsOf(peer)} }} }} }}", new { s })).ToList(), peer.Pid));
        }

        // The floor's first row for S01 is the reference every side must return first, with 100 rows.
        var expected = await FirstIdAsync(sides[0], d => d);
        for (var i = 1; i < sides.Count; i++)
        {
            var nodes = sides[i].Door switch
            {
                "REST" => (Func<JsonElement, JsonElement>)(d => d.GetProperty("rows")),
                "OData" => d => d.GetProperty("value"),
                "GraphQL" => d => d.GetProperty("data").GetProperty(rowsField).GetProperty("nodes"),
                _ => d => d.GetProperty("data").GetProperty(peer!.AllField).GetProperty("nodes"),
            };
            var got = await FirstIdAsync(sides[i], nodes);
            if (got != expected)
            {
                throw new InvalidOperationException($"{sides[i].Door} page: first row {got.Id} ({got.Count} rows), the floor {expected.Id} ({expected.Count} rows)");
            }
        }

        return sides;
    }

    /// <summary>
    /// By-key sides. Each door looks rows up by the declared key <c>id</c> where it can; a door that can only look
    /// rows up by <c>RowId</c> (no declared key yet) is measured that way, labelled, and compared with the floor
    /// of the same lookup (<c>WHERE _row_id = $1</c>).
    /// </summary>
    public async Task<List<Side>> KeySidesAsync()
    {
        var set = ODataModel.EntitySetName(datasetId);
        var rowsField = await RowsFieldAsync();
        var sides = new List<Side>
        {
            new("floor", "by id", "bare Npgsql: SELECT … WHERE id = $1", floor, Ids.Select(id => new LoadRequest("GET", $"/floor/id/{id}")).ToList(), Environment.ProcessId),
        };

        // REST GET /rows/{key}: {"dataset", "version", "key", "fields", "row": {…}}.
        var rest = new Side("REST", "by id", "GET …/rows/{id}", env.BaseAddress, Ids.Select(id => new LoadRequest("GET", $"/api/v1/datasets/{datasetId}/rows/{id}")).ToList(), Environment.ProcessId);
        sides.Add(await ChecksAsync(rest, d => d.GetProperty("row")) is { } restWhy ? Side.Missing("REST", "by id", "not available: " + restWhy) : rest);

        // OData Set(key): the declared key, else RowId.
        var odata = new Side("OData", "by id", $"{set}({{id}})", env.BaseAddress, Ids.Select(id => new LoadRequest("GET", $"/odata/{set}({id})")).ToList(), Environment.ProcessId);
        if (await ChecksAsync(odata, d => d) is { } odataWhy)
        {
            var byRowId = new Side("OData", "by RowId", $"{set}({{RowId}}) — no key segment on id: {odataWhy}", env.BaseAddress,
                Ids.Select(id => new LoadRequest("GET", $"/odata/{set}({id - AirQualityData.IdBase})")).ToList(), Environment.ProcessId);
            sides.Add(await ChecksAsync(byRowId, d => d) is { } why ? Side.Missing("OData", "by id", "not available: " + why) : byRowId);
        }
        else
        {
            sides.Add(odata);
        }

        // GraphQL <dataset>ByKey(id:), else <dataset>ByRowId(rowId:).
        var fields = await RootFieldsAsync();
        Side? gql = null;
        foreach (var (suffix, arg, query, offset) in new[] { ("ByKey", "id", "by id", 0L), ("ByRowId", "rowId", "by RowId", AirQualityData.IdBase) })
        {
            if (fields.FirstOrDefault(f => f.Name.StartsWith(rowsField, StringComparison.Ordinal) && f.Name.EndsWith(suffix, StringComparison.Ordinal)) is not { Name: not null } f
                || !f.Args.TryGetValue(arg, out var type))
            {
                continue;
            }

            var candidate = new Side("GraphQL", query, $"{f.Name}({arg}:)", env.BaseAddress,
                Ids.Select(id => Gql($"query($k: {type}) {{ {f.Name}({arg}: $k) {{ {Columns} }} }}", new { k = KeyValue(type, id - offset) })).ToList(), Environment.ProcessId);
            if (await ChecksAsync(candidate, d => d.GetProperty("data").GetProperty(f.Name)) is null)
            {
                gql = candidate;
                break;
            }
        }

        sides.Add(gql ?? Side.Missing("GraphQL", "by id", $"not available: no {rowsField}ByKey(id:) or {rowsField}ByRowId(rowId:) root field"));

        if (peer is not null)
        {
            var pg = new Side("PostGraphile", "by id", $"{peer.ByIdField}({peer.KeyName}:)", peer.BaseAddress,
                Ids.Select(id => Gql($"query($k: BigInt!) {{ {peer.ByIdField}({peer.KeyName}: $k) {{ {PeerColumnsOf(peer)} }} }}", new { k = id.ToString(CultureInfo.InvariantCulture) })).ToList(), peer.Pid);
            sides.Add(await ChecksAsync(pg, d => d.GetProperty("data").GetProperty(peer.ByIdField)) is { } why ? throw new InvalidOperationException("PostGraphile by id: " + why) : pg);
        }

        if (sides.Any(s => s.Query == "by RowId"))
        {
            sides.Insert(1, new("floor", "by RowId", "bare Npgsql: SELECT … WHERE _row_id = $1", floor, Ids.Select(id => new LoadRequest("GET", $"/floor/rowid/{id - AirQualityData.IdBase}")).ToList(), Environment.ProcessId));
        }

        var floorCheck = await ChecksAsync(sides[0], d => d[0]);
        return floorCheck is null ? sides : throw new InvalidOperationException("floor by id: " + floorCheck);
    }

    private static string PeerColumnsOf(PostGraphilePeer peer) => (peer.KeyName == "id" ? "id" : $"id: {peer.KeyName}") + " station measuredAt pm25 pm10 no2 o3 aqi level"; // answers carry "id" either way

    private static object KeyValue(string type, long value) => type.TrimEnd('!') is "Int" or "Float" or "Long" ? value : value.ToString(CultureInfo.InvariantCulture);

    private static LoadRequest Gql(string query, object variables) => new("POST", "/graphql", JsonSerializer.Serialize(new { query, variables }, Web), "application/json", GraphQLAccept);

    private async Task<string> RowsFieldAsync()
    {
        var provider = env.Services.GetRequiredService<GraphQLSchemaProvider>();
        var model = await provider.WaitForCatalogVersionAsync(env.Catalog.Current.CatalogVersion, TimeSpan.FromMinutes(1));
        return model.RowFields[datasetId].Rows;
    }

    /// <summary>The query type's fields with their arguments' type references (e.g. <c>id</c> → <c>String!</c>).</summary>
    private async Task<List<(string Name, Dictionary<string, string> Args)>> RootFieldsAsync()
    {
        const string typeRef = "name kind ofType { name kind ofType { name kind } }";
        var json = await PostGraphilePeer.QueryAsync(client, $"{{ __schema {{ queryType {{ fields {{ name args {{ name type {{ {typeRef} }} }} }} }} }} }}");
        static string Ref(JsonElement t) => t.GetProperty("kind").GetString() switch
        {
            "NON_NULL" => Ref(t.GetProperty("ofType")) + "!",
            "LIST" => "[" + Ref(t.GetProperty("ofType")) + "]",
            _ => t.GetProperty("name").GetString()!,
        };
        return json.GetProperty("data").GetProperty("__schema").GetProperty("queryType").GetProperty("fields").EnumerateArray()
            .Select(f => (f.GetProperty("name").GetString()!, f.GetProperty("args").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => Ref(a.GetProperty("type")))))
            .ToList();
    }

    private async Task<JsonElement> SendAsync(Side side, LoadRequest r)
    {
        using var request = new HttpRequestMessage(new HttpMethod(r.Method), new Uri(side.BaseAddress!, r.Path));
        if (r.Body is not null)
        {
            request.Content = new StringContent(r.Body, System.Text.Encoding.UTF8, r.ContentType ?? "application/json");
        }

        if (r.Accept is not null)
        {
            request.Headers.Accept.ParseAdd(r.Accept);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new HttpRequestException($"{(int)response.StatusCode} {text[..Math.Min(text.Length, 200)]}", null, response.StatusCode);
    }

    private async Task<(string Id, int Count)> FirstIdAsync(Side side, Func<JsonElement, JsonElement> nodes)
    {
        var list = nodes(await SendAsync(side, side.Requests[0]));
        return (Text(list[0].GetProperty("id")), list.GetArrayLength());
    }

    /// <summary>Null when the first three requests of <paramref name="side"/> return the rows asked for; otherwise why not.</summary>
    private async Task<string?> ChecksAsync(Side side, Func<JsonElement, JsonElement> row)
    {
        for (var i = 0; i < 3; i++)
        {
            try
            {
                var got = row(await SendAsync(side, side.Requests[i]));
                if (got.ValueKind != JsonValueKind.Object || Text(got.GetProperty("id")) != Ids[i].ToString(CultureInfo.InvariantCulture))
                {
                    return $"asked for id {Ids[i]}, got {got.GetRawText()[..Math.Min(120, got.GetRawText().Length)]}";
                }
            }
            catch (Exception e) when (e is HttpRequestException or KeyNotFoundException or InvalidOperationException or JsonException)
            {
                return e.Message[..Math.Min(e.Message.Length, 200)];
            }
        }

        return null;
    }

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
}
