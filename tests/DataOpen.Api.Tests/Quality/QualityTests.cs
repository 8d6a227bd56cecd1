using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Quality;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Api.Tests.Rest;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Tests.Quality;

/// <summary>Every published version gets a quality report: each check with its result and fix, scored from the version's own rows.</summary>
[Collection(ApiTests.Name)]
public sealed class QualityTests(DataOpenFactory factory)
{
    private const int Rows = 400;

    [Fact]
    public async Task A_published_version_is_scored_from_its_metadata_and_its_rows()
    {
        // The test CSV (TestDatasets.WriteCsv): station 站点0…站点16, value up to 999.99, so a list without 站点16 and the range 0–500 are both broken.
        var fields = new List<FieldSpec>
        {
            new("id", Title: new Localized("编号"), Description: "行号"),
            new("station", Title: new Localized("站点"), Description: "监测站点", ValueDomain: string.Join("、", Enumerable.Range(0, 16).Select(i => "站点" + i))),
            new("value", Title: new Localized("数值"), Description: "测量值", ValueDomain: "0–500"),
            new("day", Title: new Localized("日期"), Description: "日期"),
        };
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("quality"), fields: fields);
        await RestFixtures.PublishAsync(factory, def, Path.Combine(TestDatasets.WriteCsvFolder(def, Rows), "data.csv"));
        var report = await ReportAsync(def.Identifier);

        var expectedStation = Enumerable.Range(1, Rows).Count(i => i % 17 == 16);
        var expectedValue = Enumerable.Range(1, Rows).Count(i => i * 7919L % 100000 / 100m > 500);
        var domain = Check(report, "valueDomain");
        var findings = domain.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("field").GetString()!, f => f.GetProperty("count").GetInt64());
        Assert.Equal(expectedStation, findings["station"]);
        Assert.Equal(expectedValue, findings["value"]);
        Assert.True(domain.GetProperty("score").GetDouble() < 1);
        Assert.NotNull(domain.GetProperty("fix").GetProperty("zh").GetString());

        // id and value are numbers, so they need units; none is declared.
        var docs = Check(report, "fieldDocs");
        Assert.Equal(4 / 6.0, docs.GetProperty("score").GetDouble(), 3);
        Assert.Contains("value", docs.GetProperty("detail").GetProperty("en").GetString(), StringComparison.Ordinal);
        Assert.Equal(1.0, Check(report, "nulls").GetProperty("score").GetDouble());
        Assert.Equal(MetadataChecks.OpenLicences.Contains(TestDatasets.License) ? 1.0 : 0.0, Check(report, "licence").GetProperty("score").GetDouble());

        var score = report.GetProperty("score").GetDouble();
        Assert.InRange(score, 1, 99);

        // The stewards' view lists it with its score; a plain key holder is refused.
        using var admin = factory.CreateAdminClient();
        var row = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/steward/quality")).EnumerateArray().Single(r => r.GetProperty("dataset").GetString() == def.Identifier);
        Assert.Equal(score, row.GetProperty("score").GetDouble());
        Assert.Contains("valueDomain", row.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        Assert.Equal(HttpStatusCode.Forbidden, (await holder.GetAsync("/api/v1/steward/quality")).StatusCode);
    }

    [Fact]
    public async Task Text_that_is_all_numbers_and_mostly_empty_fields_are_found()
    {
        var folder = TestFolders.New("ds");
        var fields = new List<FieldSpec> { new("code", Type: "text"), new("note", Type: "text") };
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("quality"), fields: fields);
        File.WriteAllText(Path.Combine(folder, "dataset.json"), JsonSerializer.Serialize(def, DatasetDefinition.JsonOptions));
        File.WriteAllLines(Path.Combine(folder, "data.csv"), ["code,note", .. Enumerable.Range(1, 50).Select(i => $"{i * 3},{(i % 4 == 0 ? "有备注" : "")}")]);
        await RestFixtures.PublishAsync(factory, def, Path.Combine(folder, "data.csv"));
        var report = await ReportAsync(def.Identifier);
        Assert.Equal(["code"], Check(report, "types").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("field").GetString()));
        var note = Check(report, "nulls").GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("field").GetString() == "note");
        Assert.Equal(0.76, note.GetProperty("share").GetDouble(), 2);
        Assert.Contains("note", Check(report, "nulls").GetProperty("detail").GetProperty("en").GetString(), StringComparison.Ordinal);
        Assert.False(Check(report, "valueDomain").TryGetProperty("score", out var notChecked) && notChecked.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task A_declared_primary_key_passes_the_key_check_and_a_version_without_one_is_told_how_to_declare_it()
    {
        var plain = TestDatasets.Definition(TestDatasets.NewIdentifier("quality"));
        await RestFixtures.PublishAsync(factory, plain, Path.Combine(TestDatasets.WriteCsvFolder(plain, 20), "data.csv"));
        var keyed = TestDatasets.Definition(TestDatasets.NewIdentifier("quality")) with { PrimaryKey = ["id"] };
        await RestFixtures.PublishAsync(factory, keyed, Path.Combine(TestDatasets.WriteCsvFolder(keyed, 20), "data.csv"));
        Assert.Equal(["id"], factory.Catalog.Current.Find(keyed.Identifier)!.Current!.PrimaryKey);

        var without = await ReportAsync(plain.Identifier);
        var missing = Check(without, "key");
        Assert.Equal(0.0, missing.GetProperty("score").GetDouble());
        Assert.Equal(2, missing.GetProperty("weight").GetInt32());
        Assert.Contains("primaryKey", missing.GetProperty("fix").GetProperty("en").GetString(), StringComparison.Ordinal);
        Assert.Contains("dataset.json", missing.GetProperty("fix").GetProperty("zh").GetString(), StringComparison.Ordinal);
        Assert.Contains("docs/indexes.md", missing.GetProperty("fix").GetProperty("en").GetString(), StringComparison.Ordinal);

        var with = await ReportAsync(keyed.Identifier);
        var declared = Check(with, "key");
        Assert.Equal(1.0, declared.GetProperty("score").GetDouble());
        Assert.Contains("(id)", declared.GetProperty("detail").GetProperty("en").GetString(), StringComparison.Ordinal);
        Assert.False(declared.TryGetProperty("fix", out var fix) && fix.ValueKind != JsonValueKind.Null, "a passing key check has nothing to fix");

        // The same data otherwise: the key is the only difference between the two scores (weight 2 of the counted weights).
        var weights = with.GetProperty("checks").EnumerateArray().Where(c => c.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number).Sum(c => c.GetProperty("weight").GetInt32());
        var expected = 100.0 * 2 / weights;
        Assert.InRange(with.GetProperty("score").GetDouble() - without.GetProperty("score").GetDouble(), expected - 0.11, expected + 0.11);

        // Every sample dataset declares its natural key: bus-stops passes.
        Assert.Equal(1.0, Check(await ReportAsync("bus-stops"), "key").GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Unknown_datasets_and_versions_are_404_problems()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets/enterprise-tax-details/quality")).StatusCode);
        var missing = await client.GetAsync("/api/v1/datasets/bus-stops/quality?version=999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_score_is_in_the_REST_and_GraphQL_metadata_of_the_dataset()
    {
        var report = await ReportAsync("bus-stops");
        using var client = factory.CreateClient();
        var detail = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/bus-stops");
        var quality = detail.GetProperty("quality");
        Assert.Equal(report.GetProperty("score").GetDouble(), quality.GetProperty("score").GetDouble());
        Assert.Equal(report.GetProperty("version").GetInt32(), quality.GetProperty("version").GetInt32());
        var failing = report.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("score").ValueKind == JsonValueKind.Number && c.GetProperty("score").GetDouble() < 1)
            .Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal(failing, quality.GetProperty("failing").EnumerateArray().Select(f => f.GetString()).ToList());
        Assert.EndsWith("/api/v1/datasets/bus-stops/quality", quality.GetProperty("report").GetString(), StringComparison.Ordinal);
        Assert.Equal(quality.GetProperty("report").GetString(), detail.GetProperty("links").GetProperty("quality").GetString());

        var gql = await client.PostAsJsonAsync("/graphql", new { query = "{ dataset(id: \"bus-stops\") { quality { score version checks { id score weight fix } } } }" });
        var body = await gql.Content.ReadFromJsonAsync<JsonElement>();
        var q = body.GetProperty("data").GetProperty("dataset").GetProperty("quality");
        Assert.Equal(report.GetProperty("score").GetDouble(), q.GetProperty("score").GetDouble());
        Assert.Equal(report.GetProperty("checks").GetArrayLength(), q.GetProperty("checks").GetArrayLength());
        Assert.Contains(q.GetProperty("checks").EnumerateArray(), c => c.GetProperty("id").GetString() == "valueDomain");
    }

    [Fact]
    public async Task The_Table_Schema_marks_the_declared_coordinate_fields_and_the_service_serves_the_outline()
    {
        using var client = factory.CreateClient();
        var schema = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/bus-stops/schema");
        var rdf = schema.GetProperty("fields").EnumerateArray().Where(f => f.TryGetProperty("rdfType", out var t) && t.ValueKind == JsonValueKind.String)
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("rdfType").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["longitude"] = "http://www.w3.org/2003/01/geo/wgs84_pos#long", ["latitude"] = "http://www.w3.org/2003/01/geo/wgs84_pos#lat" }, rdf);

        var outline = await client.GetAsync("/api/v1/map/outline");
        Assert.Equal("application/geo+json", outline.Content.Headers.ContentType?.MediaType);
        var geo = await outline.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, geo.GetProperty("features").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/map/outline?zoom=3")).StatusCode);
    }

    private static JsonElement Check(JsonElement report, string id) =>
        report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    private async Task<JsonElement> ReportAsync(string dataset)
    {
        using var client = factory.CreateClient();
        for (var i = 0; i < 100; i++)
        {
            var response = await client.GetAsync($"/api/v1/datasets/{dataset}/quality");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{dataset} was not scored within 10 s of publishing");
    }
}
