using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Access;

/// <summary>
/// A grant covers only the fields its application named, on every door (REST rows and downloads, OData,
/// GraphQL, the dataset page): without a column list only those are served, and naming any other field
/// anywhere (select, filter, conditions, order, group_by, aggregates, $apply) is refused with 403. A grant
/// whose application named no field, stewards and admins keep every field.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class FieldGrantTests(DataOpenFactory factory)
{
    private const string Dataset = "enterprise-energy-consumption";
    private const string Set = "EnterpriseEnergyConsumption";
    private const string Field = "enterpriseEnergyConsumption";

    private static readonly string[] Granted = ["enterprise_name", "year", "energy_tce"];

    private static readonly string[] NarrowedWithRepeat = ["year", "enterprise_name", "year"];

    private static readonly string[] ParkOnly = ["park"];

    private static readonly string[] Withheld = ["credit_code", "track", "park", "electricity", "natural_gas", "output_value", "energy_intensity"];

    [Fact]
    public async Task A_field_limited_grant_never_serves_another_column_through_any_door()
    {
        var (key, stewardKey, grantId) = await GrantAsync(Granted);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        var secrets = await CreditCodesAsync();

        // The steward sees which fields were granted: in the application list and the grant list.
        using (var steward = AccessHelpers.ClientWithKey(factory, stewardKey))
        {
            var grants = await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/grants");
            var grant = grants.EnumerateArray().Single(g => g.GetProperty("id").GetInt64() == grantId);
            Assert.Equal(Granted.Order(), grant.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).Order());
        }

        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/keys/me");
        Assert.Equal(Granted.Order(), me.GetProperty("grants")[0].GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).Order());

        var failures = new List<string>();
        async Task ServedAsync(string what, Func<Task<(HttpStatusCode Status, string Text)>> call, bool namesGranted = true)
        {
            var (status, text) = await call();
            if (status != HttpStatusCode.OK)
            {
                failures.Add($"{what}: expected 200, got {(int)status}: {Shorten(text)}");
                return;
            }

            if (Withheld.FirstOrDefault(w => text.Contains(w, StringComparison.Ordinal)) is { } name)
            {
                failures.Add($"{what}: the withheld field {name} is in the response: {Shorten(text)}");
            }

            if (secrets.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal)) is { } code)
            {
                failures.Add($"{what}: the withheld credit code {code} is in the response");
            }

            if (namesGranted && !text.Contains("enterprise_name", StringComparison.Ordinal))
            {
                failures.Add($"{what}: the granted field enterprise_name is missing: {Shorten(text)}");
            }
        }

        async Task RefusedAsync(string what, Func<Task<(HttpStatusCode Status, string Text)>> call, string field, string target)
        {
            var (status, text) = await call();
            if (status != HttpStatusCode.Forbidden)
            {
                failures.Add($"{what}: expected 403, got {(int)status}: {Shorten(text)}");
                return;
            }

            if (secrets.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal)) is { } code)
            {
                failures.Add($"{what}: a credit code {code} is in the refusal");
            }

            if (!text.Contains(field, StringComparison.Ordinal) || !text.Contains(target, StringComparison.Ordinal))
            {
                failures.Add($"{what}: the refusal should name the field '{field}' and {target}: {Shorten(text)}");
            }
        }

        // REST rows.
        await ServedAsync("rows", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?limit=20"));
        await ServedAsync("rows with select, conditions, filter, order", () => GetAsync(client,
            $"/api/v1/datasets/{Dataset}/rows?select=enterprise_name,energy_tce&year=2024&filter=energy_tce%20gt%200&order=-energy_tce&count=exact"));
        await ServedAsync("rows grouped", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?group_by=year&aggregate=count(),sum(energy_tce)%20as%20total,max(enterprise_name)"));
        await RefusedAsync("rows select", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?select=enterprise_name,credit_code"), "credit_code", "\"parameter\":\"select\"");
        await RefusedAsync("rows filter", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?filter=electricity%20gt%200"), "electricity", "\"parameter\":\"filter\"");
        await RefusedAsync("rows condition", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?park=x"), "park", "\"parameter\":\"park\"");
        await RefusedAsync("rows order", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?select=year&order=-output_value"), "output_value", "\"parameter\":\"order\"");
        await RefusedAsync("rows group_by", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?group_by=track&aggregate=count()"), "track", "\"parameter\":\"group_by\"");
        await RefusedAsync("rows aggregate", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?group_by=year&aggregate=avg(energy_intensity)"), "energy_intensity", "\"parameter\":\"aggregate\"");
        await RefusedAsync("rows count_distinct", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows?aggregate=count_distinct(credit_code)"), "credit_code", "\"parameter\":\"aggregate\"");

        // REST downloads, the COPY path (whole version) and the engine path (filtered), in every format.
        await ServedAsync("download csv (COPY)", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=csv"));
        await ServedAsync("download csv filtered", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=csv&year=2024"));
        await ServedAsync("download json", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=json"));
        await ServedAsync("download jsonl", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=jsonl&order=year"));
        await ServedAsync("download xlsx", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=xlsx"));
        await ServedAsync("download parquet", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=parquet"));
        await ServedAsync("download grouped", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=csv&group_by=year&aggregate=sum(energy_tce)"), namesGranted: false);
        await RefusedAsync("download select", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=csv&select=credit_code"), "credit_code", "\"parameter\":\"select\"");
        await RefusedAsync("download aggregate", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=json&aggregate=sum(output_value)"), "output_value", "\"parameter\":\"aggregate\"");

        // OData.
        await ServedAsync("odata", () => GetAsync(client, $"/odata/{Set}?$top=20"));
        await ServedAsync("odata $select=*", () => GetAsync(client, $"/odata/{Set}?$top=5&$select=*"));
        await ServedAsync("odata by RowId", () => GetAsync(client, $"/odata/{Set}?$filter=RowId%20eq%201"));
        // The key (credit_code, year) names a field the grant does not cover: a lookup by it would test its values.
        await RefusedAsync("odata entity by key", () => GetAsync(client, $"/odata/{Set}(credit_code='x',year=2024)"), "credit_code", "field_not_granted");
        await RefusedAsync("rest row by key", () => GetAsync(client, $"/api/v1/datasets/{Dataset}/rows/x,2024"), "credit_code", "field-not-granted");
        await ServedAsync("odata filter and order", () => GetAsync(client, $"/odata/{Set}?$filter=year%20eq%202024%20and%20energy_tce%20gt%200&$orderby=energy_tce%20desc&$count=true"));
        await ServedAsync("odata $apply", () => GetAsync(client, $"/odata/{Set}?$apply=groupby((year),aggregate(energy_tce%20with%20sum%20as%20total,$count%20as%20n))"), namesGranted: false);
        await RefusedAsync("odata $select", () => GetAsync(client, $"/odata/{Set}?$select=credit_code"), "credit_code", "\"target\":\"$select\"");
        await RefusedAsync("odata $filter", () => GetAsync(client, $"/odata/{Set}?$filter=natural_gas%20gt%200"), "natural_gas", "\"target\":\"$filter\"");
        await RefusedAsync("odata $orderby", () => GetAsync(client, $"/odata/{Set}?$orderby=output_value"), "output_value", "\"target\":\"$orderby\"");
        await RefusedAsync("odata $apply groupby", () => GetAsync(client, $"/odata/{Set}?$apply=groupby((park),aggregate($count%20as%20n))"), "park", "\"target\":\"$apply\"");
        await RefusedAsync("odata $apply aggregate", () => GetAsync(client, $"/odata/{Set}?$apply=aggregate(electricity%20with%20sum%20as%20total)"), "electricity", "\"target\":\"$apply\"");
        await RefusedAsync("odata $count", () => GetAsync(client, $"/odata/{Set}/$count?$filter=credit_code%20ne%20null"), "credit_code", "\"target\":\"$filter\"");

        // GraphQL.
        await ServedAsync("graphql rows", () => GraphQLAsync(client, $"{{ {Field}(first: 20) {{ totalCount nodes {{ enterprise_name year energy_tce }} pageInfo {{ endCursor }} }} }}"));
        await ServedAsync("graphql paging only", () => GraphQLAsync(client, $"{{ {Field}(first: 2, filter: {{ year: {{ eq: 2024 }} }}) {{ totalCount pageInfo {{ hasNextPage }} }} }}"), namesGranted: false);
        await ServedAsync("graphql aggregate", () => GraphQLAsync(client, $"{{ {Field}Aggregate(groupBy: [year]) {{ key {{ year }} count sum {{ energy_tce }} max {{ enterprise_name }} }} }}"));
        await RefusedAsync("graphql field", () => GraphQLAsync(client, $"{{ {Field}(first: 2) {{ nodes {{ enterprise_name credit_code }} }} }}"), "credit_code", "FIELD_NOT_GRANTED");
        await RefusedAsync("graphql filter", () => GraphQLAsync(client, $"{{ {Field}(first: 2, filter: {{ electricity: {{ gt: 0 }} }}) {{ nodes {{ year }} }} }}"), "electricity", "FIELD_NOT_GRANTED");
        await RefusedAsync("graphql order", () => GraphQLAsync(client, $"{{ {Field}(first: 2, orderBy: [{{ field: park }}]) {{ nodes {{ year }} }} }}"), "park", "FIELD_NOT_GRANTED");
        await RefusedAsync("graphql groupBy", () => GraphQLAsync(client, $"{{ {Field}Aggregate(groupBy: [track]) {{ count }} }}"), "track", "FIELD_NOT_GRANTED");
        await RefusedAsync("graphql sum", () => GraphQLAsync(client, $"{{ {Field}Aggregate {{ sum {{ output_value }} }} }}"), "output_value", "FIELD_NOT_GRANTED");

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The dataset page previews the granted fields only (its field table still lists every field: metadata is public).
        using var page = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{Dataset}");
        page.Headers.Add("X-Api-Key", key);
        using var anonymous = factory.CreateClient();
        var html = await (await anonymous.SendAsync(page)).Content.ReadAsStringAsync();
        var preview = html[html.IndexOf("data-testid=\"preview\"", StringComparison.Ordinal)..];
        preview = preview[..preview.IndexOf("</table>", StringComparison.Ordinal)];
        Assert.Contains("<tbody>", preview, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets, s => html.Contains(s, StringComparison.Ordinal));
        Assert.Equal(3, preview[..preview.IndexOf("</thead>", StringComparison.Ordinal)].Split("<th ").Length - 1);
    }

    [Fact]
    public async Task A_grant_without_fields_stewards_and_admins_see_every_field()
    {
        var (key, stewardKey, _) = await GrantAsync([]);
        var secrets = await CreditCodesAsync();
        foreach (var k in new[] { key, stewardKey, DataOpenFactory.AdminKey })
        {
            using var client = AccessHelpers.ClientWithKey(factory, k);
            var rows = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{Dataset}/rows?limit=1");
            Assert.Equal(10, rows.GetProperty("fields").GetArrayLength());
            var (status, csv) = await GetAsync(client, $"/api/v1/datasets/{Dataset}/download?format=csv&select=credit_code,electricity");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(secrets[0], csv, StringComparison.Ordinal);
            var (odataStatus, odata) = await GetAsync(client, $"/odata/{Set}?$top=1&$select=credit_code");
            Assert.Equal(HttpStatusCode.OK, odataStatus);
            Assert.Contains("credit_code", odata, StringComparison.Ordinal);
            var (_, graphql) = await GraphQLAsync(client, $"{{ {Field}Aggregate(groupBy: [park]) {{ key {{ park }} sum {{ electricity }} }} }}");
            Assert.DoesNotContain("errors", graphql, StringComparison.Ordinal);
        }

        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var me = await holder.GetFromJsonAsync<JsonElement>("/api/v1/keys/me");
        Assert.Equal(0, me.GetProperty("grants")[0].GetProperty("fields").GetArrayLength());

        // The steward's page previews every column, withheld values included: what the field-limited test must not find.
        using var page = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{Dataset}");
        page.Headers.Add("X-Api-Key", stewardKey);
        using var anonymous = factory.CreateClient();
        var html = await (await anonymous.SendAsync(page)).Content.ReadAsStringAsync();
        Assert.Contains(secrets, s => html.Contains(s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_live_grants_cover_the_union_of_their_fields_and_the_etag_differs_by_grant()
    {
        var (key, stewardKey, _) = await GrantAsync(["year"]);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        var narrow = await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?limit=1");
        Assert.Equal(["year"], (await narrow.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?select=park")).StatusCode);

        await ApproveAsync(client, stewardKey, ["park"]);
        var wide = await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?limit=1");
        Assert.Equal(["park", "year"], (await wide.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order());
        Assert.NotEqual(narrow.Headers.ETag, wide.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?select=park")).StatusCode);
    }

    [Fact]
    public async Task A_steward_may_grant_fewer_fields_than_applied_for_and_only_those_are_served()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory, "Narrowed applicant");
        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, factory.Catalog.Current.Find(Dataset)!.Metadata.Publisher);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);

        async Task<long> ApplyAsync(string[] fields)
        {
            var applied = await client.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(Dataset, fields: fields));
            Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
            return (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        async Task<string> StatusAsync(long id) =>
            (await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/applications")).EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id).GetProperty("status").GetString()!;

        // Bad narrowing is refused by name, and the application stays pending: nothing is granted.
        var id = await ApplyAsync(Granted);
        foreach (var (fields, named) in new[] { (new[] { "credit_code" }, "'credit_code'"), (["year", "no_such_field"], "'no_such_field'"), ([], "at least one field") })
        {
            var refused = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/approve", new { reason = "ok", fields });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("pending", await StatusAsync(id));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?limit=1")).StatusCode);

        // Two of the three fields applied for: the decision shows both lists, and only the two are served.
        var approved = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/approve", new { reason = "energy figures withheld", fields = NarrowedWithRepeat });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var decision = await approved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Granted, decision.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!));
        Assert.Equal(["year", "enterprise_name"], decision.GetProperty("grantedFields").EnumerateArray().Select(f => f.GetString()!));
        var mine = (await client.GetFromJsonAsync<JsonElement>("/api/v1/applications/mine")).EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal(["year", "enterprise_name"], mine.GetProperty("grantedFields").EnumerateArray().Select(f => f.GetString()!));
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/keys/me");
        Assert.Equal(["enterprise_name", "year"], me.GetProperty("grants")[0].GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).Order());

        var rows = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{Dataset}/rows?limit=1");
        Assert.Equal(["enterprise_name", "year"], rows.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?select=energy_tce")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/odata/{Set}?$select=energy_tce")).StatusCode);

        // A whole-dataset application may be narrowed to any of the dataset's fields.
        var whole = await ApplyAsync([]);
        var parkOnly = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{whole}/approve", new { reason = "ok", fields = ParkOnly });
        Assert.Equal(HttpStatusCode.OK, parkOnly.StatusCode);
        Assert.Equal(["park"], (await parkOnly.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("grantedFields").EnumerateArray().Select(f => f.GetString()!));
        var union = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{Dataset}/rows?limit=1");
        Assert.Equal(["enterprise_name", "park", "year"], union.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order());
    }

    [Fact]
    public async Task GeoJSON_of_a_field_limited_grant_needs_both_coordinates_granted_and_carries_only_granted_properties()
    {
        // A conditional dataset with coordinates (synthetic): its points are made of two fields a grant may leave out.
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var id = TestDatasets.NewIdentifier("t-geogrant");
        var def = TestDatasets.Definition(id, openClass: "conditional", fields:
        [
            new("site", Type: "text"), new("longitude", Type: "double"), new("latitude", Type: "double"), new("owner_phone", Type: "text"),
        ]) with { Geo = new GeoSpec("longitude", "latitude") };
        var csv = Path.Combine(TestFolders.New("geo"), "data.csv");
        string[] phones = ["13900000001", "13900000002", "13900000003"];
        await File.WriteAllTextAsync(csv, $"site,longitude,latitude,owner_phone\n站点一,125.301,43.881,{phones[0]}\n站点二,125.322,43.902,{phones[1]}\n站点三,125.345,43.915,{phones[2]}\n");
        var published = await factory.Services.GetRequiredService<DatasetPublisher>().PublishAsync(def, csv, "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, published.Status);
        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, TestDatasets.Publisher);

        // Granted the site but not both coordinates: no GeoJSON, and the problem names the missing coordinate.
        foreach (var (fields, missing) in new[] { (new[] { "site" }, "longitude"), (["site", "longitude"], "latitude") })
        {
            var (key, _) = await AccessHelpers.NewKeyAsync(factory, "Geo applicant");
            using var client = AccessHelpers.ClientWithKey(factory, key);
            await ApproveAsync(client, stewardKey, fields, id);
            var refused = await client.GetAsync($"/api/v1/datasets/{id}/download?format=geojson");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains($"'{missing}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/datasets/{id}/download?format=csv")).StatusCode);
        }

        // Granted the site and both coordinates: points, whose properties are the granted fields only, with or without select.
        var (geoKey, _) = await AccessHelpers.NewKeyAsync(factory, "Geo applicant");
        using var geoClient = AccessHelpers.ClientWithKey(factory, geoKey);
        await ApproveAsync(geoClient, stewardKey, ["site", "longitude", "latitude"], id);
        foreach (var url in new[] { $"/api/v1/datasets/{id}/download?format=geojson", $"/api/v1/datasets/{id}/download?format=geojson&select=site" })
        {
            var response = await geoClient.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {Shorten(text)}");
            Assert.DoesNotContain("owner_phone", text, StringComparison.Ordinal);
            Assert.DoesNotContain(phones, p => text.Contains(p, StringComparison.Ordinal));
            var features = JsonDocument.Parse(text).RootElement.GetProperty("features");
            Assert.Equal(3, features.GetArrayLength());
            Assert.All(features.EnumerateArray(), f =>
            {
                Assert.Equal("Point", f.GetProperty("geometry").GetProperty("type").GetString());
                Assert.Subset(new HashSet<string> { "site", "longitude", "latitude" }, f.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet());
            });
        }

        // The withheld field stays refused by name.
        Assert.Equal(HttpStatusCode.Forbidden, (await geoClient.GetAsync($"/api/v1/datasets/{id}/download?format=geojson&select=owner_phone")).StatusCode);
    }

    /// <summary>A new key with an approved application naming <paramref name="fields"/>; the steward key; the grant id.</summary>
    private async Task<(string Key, string StewardKey, long GrantId)> GrantAsync(string[] fields)
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory, "Field applicant");
        var publisher = factory.Catalog.Current.Find(Dataset)!.Metadata.Publisher;
        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, publisher);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        return (key, stewardKey, await ApproveAsync(client, stewardKey, fields));
    }

    private async Task<long> ApproveAsync(HttpClient applicant, string stewardKey, string[] fields, string dataset = Dataset)
    {
        var application = AccessHelpers.Application(dataset, fields: fields);
        var applied = await applicant.PostAsJsonAsync("/api/v1/applications", application);
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        var id = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);
        var pending = await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/applications?status=pending");
        var listed = pending.EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal(fields, listed.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!));

        var approved = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/approve", new { reason = "ok" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var body = await approved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(fields, body.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!));
        return body.GetProperty("grantId").GetInt64();
    }

    /// <summary>Every credit code of the dataset: values of a withheld column that no response may carry.</summary>
    private async Task<string[]> CreditCodesAsync()
    {
        var table = factory.Catalog.Current.Find(Dataset)!.Current!.Shape.QualifiedName;
        await using var cmd = factory.Database.Writer.CreateCommand($"SELECT DISTINCT credit_code FROM {table} WHERE credit_code IS NOT NULL ORDER BY 1");
        var codes = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            codes.Add(r.GetString(0));
        }

        Assert.NotEmpty(codes);
        return [.. codes];
    }

    /// <summary>The response as text: xlsx sheets unzipped, parquet's raw bytes (column names and plain values are stored as UTF-8).</summary>
    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.IsSuccessStatusCode && url.Contains("format=xlsx", StringComparison.Ordinal))
        {
            using var zip = new ZipArchive(new MemoryStream(bytes));
            var sb = new StringBuilder();
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                sb.Append(await reader.ReadToEndAsync());
            }

            return (response.StatusCode, sb.ToString());
        }

        return (response.StatusCode, Encoding.UTF8.GetString(bytes));
    }

    /// <summary>GraphQL's errors mapped onto HTTP statuses like the other doors: FIELD_NOT_GRANTED is 403.</summary>
    private static async Task<(HttpStatusCode, string)> GraphQLAsync(HttpClient client, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement;
        if (!json.TryGetProperty("errors", out var errors))
        {
            return (response.StatusCode, text);
        }

        var code = errors[0].GetProperty("extensions").GetProperty("code").GetString();
        var field = errors[0].GetProperty("extensions").TryGetProperty("data", out var data) && data.TryGetProperty("field", out var f) ? f.GetString() : null;
        // The refused field is null; a non-null list type (the aggregate field) nulls the whole data.
        var nulled = !json.TryGetProperty("data", out var d) || d.ValueKind == JsonValueKind.Null || d.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Null);
        return (code == "FIELD_NOT_GRANTED" && field is not null && nulled ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest, text);
    }

    private static string Shorten(string s) => s.Length <= 400 ? s : s[..400] + "…";
}
