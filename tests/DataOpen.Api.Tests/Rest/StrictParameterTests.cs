using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Rest;

/// <summary>
/// Strict query parameters: on every REST endpoint an unknown query parameter is a 400 problem naming
/// it (in: query) with the closest known names and the known list; every documented parameter and
/// api_key still work. OData and GraphQL keep their own rules; the HTML pages stay lenient.
/// </summary>
[Collection(ApiTests.Name)]
public sealed partial class StrictParameterTests(DataOpenFactory factory)
{
    private const string Air = "/api/v1/datasets/air-quality-hourly";

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> Get(string url, HttpStatusCode expected, HttpClient? client = null)
    {
        using var own = client is null ? factory.CreateClient() : null;
        var response = await (client ?? own!).GetAsync(url);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return await Json(response, expected);
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private static void AssertUnknown(JsonElement problem, string parameter, string suggestion)
    {
        Assert.EndsWith("/" + StrictQuery.ProblemType, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Equal("query", problem.GetProperty("in").GetString());
        Assert.Equal("unknown_parameter", problem.GetProperty("code").GetString());
        Assert.Equal(suggestion, Strings(problem.GetProperty("suggestions"))[0]);
        Assert.Contains($"'{parameter}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains($"Did you mean '{suggestion}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_catalog_filter_is_a_400_naming_it_with_the_closest_name_instead_of_every_dataset()
    {
        var problem = await Get("/api/v1/datasets?openClass=conditional", HttpStatusCode.BadRequest);
        AssertUnknown(problem, "openClass", "open_class");
        var known = Strings(problem.GetProperty("known"));
        Assert.Equal(["q", "theme", "publisher", "open_class", "format", "update_frequency", "license", "sort", "limit", "cursor", "api_key"], known);
        Assert.Contains("Known parameters: q, theme, publisher, open_class", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Transposed letters, other separators and case are all close.
        AssertUnknown(await Get("/api/v1/datasets?update-frequency=daily", HttpStatusCode.BadRequest), "update-frequency", "update_frequency");
        AssertUnknown(await Get("/api/v1/datasets?pubilsher=x", HttpStatusCode.BadRequest), "pubilsher", "publisher");
        AssertUnknown(await Get("/api/v1/datasets?q=air&SORT_BY=title", HttpStatusCode.BadRequest), "SORT_BY", "sort");

        // Nothing close: named, listed, no suggestion.
        var far = await Get("/api/v1/datasets?zzzzzzzz=1", HttpStatusCode.BadRequest);
        Assert.Equal("zzzzzzzz", far.GetProperty("parameter").GetString());
        Assert.Empty(far.GetProperty("suggestions").EnumerateArray());
        Assert.DoesNotContain("Did you mean", far.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_documented_catalog_parameter_and_api_key_still_work()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        var all = await Get($"/api/v1/datasets?q=air&theme=domain:environment&publisher=ecology-environment&open_class=unconditional&format=csv" +
            $"&update_frequency=daily&license=CC-BY-4.0&sort=title&limit=5&api_key={key}", HttpStatusCode.OK);
        Assert.True(all.GetProperty("total").GetInt32() >= 0);
        var filtered = await Get("/api/v1/datasets?open_class=conditional&limit=100", HttpStatusCode.OK);
        Assert.All(filtered.GetProperty("items").EnumerateArray(), i => Assert.Equal("conditional", i.GetProperty("openClass").GetString()));

        // The binder reads names ignoring case; so does the check.
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/api/v1/datasets?Q=air&LIMIT=2")).StatusCode);

        // The cursor of a next link is accepted.
        var first = await Get("/api/v1/datasets?limit=1", HttpStatusCode.OK);
        var next = first.GetProperty("next").GetString()!;
        await Get(new Uri(next).PathAndQuery, HttpStatusCode.OK);

        foreach (var url in new[] { Air, Air + "/versions", Air + "/versions/1", Air + "/schema", Air + "/schema?version=1", "/api/v1/publishers", "/api/v1/themes", "/api/v1/schemas/dataset.json", "/api/v1/tiers" })
        {
            var response = await factory.CreateClient().GetAsync(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "api_key=" + key);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Dataset_resources_refuse_unknown_parameters_and_schema_suggests_version()
    {
        AssertUnknown(await Get(Air + "/schema?verison=1", HttpStatusCode.BadRequest), "verison", "version");
        var detail = await Get(Air + "?version=1", HttpStatusCode.BadRequest);
        Assert.Equal("version", detail.GetProperty("parameter").GetString());
        Assert.Equal(["api_key"], Strings(detail.GetProperty("known")));
        await Get(Air + "/versions?limit=5", HttpStatusCode.BadRequest);
        await Get("/api/v1/themes?lang=en", HttpStatusCode.BadRequest);

        // A route value is not a query parameter.
        var id = await Get(Air + "/versions/1?id=x", HttpStatusCode.BadRequest);
        Assert.Equal("id", id.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task A_misspelt_rows_option_suggests_the_option_and_a_misspelt_field_the_field()
    {
        var version = await Get(Air + "/rows?verison=1", HttpStatusCode.BadRequest);
        Assert.Equal("verison", version.GetProperty("parameter").GetString());
        Assert.Equal("query", version.GetProperty("in").GetString());
        Assert.Equal("unknown_field", version.GetProperty("code").GetString());
        Assert.Equal("version", Strings(version.GetProperty("suggestions"))[0]);
        Assert.Contains("Parameters: filter, select", version.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal("cursor", Strings((await Get(Air + "/rows?curosr=abc", HttpStatusCode.BadRequest)).GetProperty("suggestions"))[0]);
        Assert.Equal("limit", Strings((await Get(Air + "/rows?limt=5", HttpStatusCode.BadRequest)).GetProperty("suggestions"))[0]);
        Assert.Equal("group_by", Strings((await Get(Air + "/rows?groupBy=station_code", HttpStatusCode.BadRequest)).GetProperty("suggestions"))[0]);
        Assert.Equal("station_code", Strings((await Get(Air + "/rows?stationCode=XQ001", HttpStatusCode.BadRequest)).GetProperty("suggestions"))[0]);
        Assert.Equal("station_code", Strings((await Get(Air + "/rows?stationCode[eq]=XQ001", HttpStatusCode.BadRequest)).GetProperty("suggestions"))[0]);

        // Not even a name (a hyphen): still named, with the close parameter.
        var hyphen = await Get(Air + "/rows?api-key=x", HttpStatusCode.BadRequest);
        Assert.Equal("api-key", hyphen.GetProperty("parameter").GetString());
        Assert.Equal("api_key", Strings(hyphen.GetProperty("suggestions"))[0]);

        // Field conditions, documented options and the door's own parameters are all still accepted.
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        var ok = await Get(Air + $"/rows?station_code=XQ001&aqi[ge]=0&filter=aqi%20ge%200&select=station_code,aqi&order=-aqi&limit=2&offset=0&count=exact&version=1&format=csv&lang=en&api_key={key}", HttpStatusCode.OK);
        Assert.Equal(2, ok.GetProperty("rows").GetArrayLength());
        await Get(Air + "/rows?group_by=station_code&aggregate=count()&limit=3", HttpStatusCode.OK);
        var page = await Get(Air + "/rows?limit=1", HttpStatusCode.OK);
        await Get(new Uri(page.GetProperty("next").GetString()!).PathAndQuery, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_misspelt_download_option_is_a_400_with_the_option_suggested()
    {
        var problem = await Get(Air + "/download?fromat=csv", HttpStatusCode.BadRequest);
        Assert.Equal("fromat", problem.GetProperty("parameter").GetString());
        Assert.Equal("format", Strings(problem.GetProperty("suggestions"))[0]);
        using var response = await factory.CreateClient().GetAsync(Air + "/download?format=jsonl&station_code=XQ001&limit=2&version=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Keys_steward_admin_and_health_endpoints_are_strict_too()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        AssertUnknown(await Get("/api/v1/keys/me/usage?day=7", HttpStatusCode.BadRequest, holder), "day", "days");
        await Get("/api/v1/keys/me/usage?days=7", HttpStatusCode.OK, holder);
        await Get("/api/v1/applications/mine?status=pending", HttpStatusCode.BadRequest, holder);

        using var admin = factory.CreateAdminClient();
        AssertUnknown(await Get("/api/v1/steward/audit?dataset=x&fromat=csv", HttpStatusCode.BadRequest, admin), "fromat", "format");
        AssertUnknown(await Get("/api/v1/steward/applications?state=pending", HttpStatusCode.BadRequest, admin), "state", "status");
        await Get("/api/v1/steward/applications?status=pending", HttpStatusCode.OK, admin);
        AssertUnknown(await Get("/api/v1/steward/feedback?data_set=x", HttpStatusCode.BadRequest, admin), "data_set", "dataset");
        await Get("/api/v1/steward/feedback?status=new&dataset=air-quality-hourly", HttpStatusCode.OK, admin);
        // Names compare ignoring case, as the binder reads them.
        await Get("/api/v1/steward/feedback?Status=new&DataSet=air-quality-hourly", HttpStatusCode.OK, admin);

        AssertUnknown(await Get("/api/v1/reuses?knid=application", HttpStatusCode.BadRequest), "knid", "kind");
        await Get("/api/v1/reuses?kind=application&limit=5", HttpStatusCode.OK);
        Assert.Equal("limit", (await Get(Air + "/ratings?limit=5", HttpStatusCode.BadRequest)).GetProperty("parameter").GetString());
        AssertUnknown(await Get("/health/ready?api_kay=x", HttpStatusCode.BadRequest), "api_kay", "api_key");
        Assert.Equal("verbose", (await Get("/health/live?verbose=1", HttpStatusCode.BadRequest)).GetProperty("parameter").GetString());
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/health/live?api_key=whatever")).StatusCode);
    }

    [Fact]
    public async Task A_raw_upload_takes_its_file_name_from_the_filename_parameter_and_a_misspelt_one_is_refused()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        using var client = factory.CreateAdminClient();
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-strict"));
        var put = await client.PutAsync($"/api/v1/admin/datasets/{def.Identifier}",
            new StringContent(JsonSerializer.Serialize(def, DataOpen.Core.Catalog.DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        static ByteArrayContent Body()
        {
            var body = new ByteArrayContent(Encoding.UTF8.GetBytes("id,name\n1,甲\n"));
            body.Headers.ContentType = new("application/octet-stream");
            return body;
        }

        var misspelt = await Json(await client.PostAsync($"/api/v1/admin/datasets/{def.Identifier}/versions?file_name=v1.csv", Body()), HttpStatusCode.BadRequest);
        AssertUnknown(misspelt, "file_name", "filename");
        Assert.Null(factory.Catalog.Current.Find(def.Identifier)!.Current);
        var created = await Json(await client.PostAsync($"/api/v1/admin/datasets/{def.Identifier}/versions?filename=v1.csv", Body()), HttpStatusCode.Created);
        Assert.Equal(1, created.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task OData_GraphQL_and_the_pages_keep_their_own_rules()
    {
        using var client = factory.CreateClient();
        foreach (var url in new[] { "/odata/AirQualityHourly?$top=1&openClass=x", "/odata/?openClass=x", "/graphql?query=%7B__typename%7D&openClass=x", "/datasets?openClass=conditional", "/?openClass=x" })
        {
            var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(StrictQuery.ProblemType, body, StringComparison.Ordinal);
            Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
        }

        // The catalog page ignores what it does not read.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/datasets?openClass=conditional")).StatusCode);
    }

    /// <summary>
    /// The known names come from each handler; they must equal what the committed OpenAPI document
    /// documents for that operation, plus api_key and the raw-query names declared with AcceptsQuery.
    /// Every /api and /health endpoint, and each outside /api/ that the document describes (harvest, feeds), is strict (or lets its handler check the rest, as rows do).
    /// </summary>
    [Fact]
    public async Task Every_rest_endpoint_is_strict_and_accepts_exactly_its_documented_parameters()
    {
        using (var client = factory.CreateClient())
        {
            await client.GetAsync("/health/live"); // the endpoints are built
        }

        var root = RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from a checkout.");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "openapi", "dataopen.v1.json")));
        var paths = doc.RootElement.GetProperty("paths");
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/health", StringComparison.Ordinal)
                || e.Metadata.GetMetadata<InOpenApiDocument>() is not null))
            .ToList();
        Assert.True(endpoints.Count >= 30, $"{endpoints.Count} REST endpoints");
        var checkedAgainstDocument = 0;
        foreach (var endpoint in endpoints)
        {
            var route = RouteValue().Replace(endpoint.RoutePattern.RawText!.TrimEnd('/'), "{$1}");
            var strict = endpoint.Metadata.GetMetadata<StrictQueryMetadata>();
            Assert.True(strict is not null, $"{route} does not refuse unknown query parameters: add .WithStrictQuery() to its group");
            if (route.StartsWith("/health", StringComparison.Ordinal))
            {
                Assert.Equal(["api_key"], strict.Known);
                continue;
            }

            if (endpoint.Metadata.GetMetadata<DocumentedAsMetadata>() is { } alias)
            {
                // An alias (CKAN's unversioned /api/action/…) is documented as the route it stands for, whose handler checks the rest.
                Assert.True(paths.TryGetProperty(alias.Route, out _), $"{route} is an alias of {alias.Route}, which the OpenAPI document must describe");
                Assert.NotNull(strict.HandlerChecks);
                continue;
            }

            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single().ToLowerInvariant();
            var operation = paths.GetProperty(route).GetProperty(method);
            var documented = operation.TryGetProperty("parameters", out var ps)
                ? ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList()
                : [];
            var raw = endpoint.Metadata.GetOrderedMetadata<AcceptsQueryMetadata>().SelectMany(a => a.Names);
            Assert.Equal(documented.Concat(raw).Append("api_key").Order(StringComparer.Ordinal), strict.Known.Order(StringComparer.Ordinal));
            checkedAgainstDocument++;
        }

        Assert.Equal(paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()), checkedAgainstDocument);
    }

    [GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial Regex RouteValue();
}
