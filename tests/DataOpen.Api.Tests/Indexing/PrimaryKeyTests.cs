using System.Net;
using System.Text.Json;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Indexing;

/// <summary>
/// A declared primaryKey on a real PostgreSQL: read from dataset.json as a string or an array, shown in /schema, enforced
/// by the publish (nulls and duplicates reject it naming the rows, the current version stays) and backed by a unique index.
/// </summary>
public sealed class PrimaryKeyTests(IndexPlanFactory factory) : IClassFixture<IndexPlanFactory>
{
    private Task<PublishResult> PublishAsync(DatasetDefinition def, string csv) =>
        factory.Services.GetRequiredService<DatasetPublisher>().PublishAsync(def, csv, "test", null, CancellationToken.None);

    private static DatasetDefinition WithKey(DatasetDefinition def, string primaryKeyJson)
    {
        // Through dataset.json's own reader, so the string form and the array form are both exercised.
        var json = JsonSerializer.Serialize(def, DatasetDefinition.JsonOptions).TrimEnd().TrimEnd('}') + $", \"primaryKey\": {primaryKeyJson} }}";
        return JsonSerializer.Deserialize<DatasetDefinition>(json, DatasetDefinition.JsonOptions)!;
    }

    [Fact]
    public async Task A_declared_key_is_in_the_schema_and_gets_a_unique_index()
    {
        await factory.ReadyAsync();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = WithKey(TestDatasets.Definition(TestDatasets.NewIdentifier("t-key")), "\"id\"");
        Assert.Equal(["id"], def.PrimaryKey);
        var folder = TestDatasets.WriteCsvFolder(def, 500);
        Assert.Equal(PublishStatus.Published, (await PublishAsync(def, Path.Combine(folder, "data.csv"))).Status);

        using var client = factory.CreateClient();
        var response = await client.GetAsync($"/api/v1/datasets/{def.Identifier}/schema");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("[\"id\"]", doc.RootElement.GetProperty("primaryKey").GetRawText());

        var table = factory.Catalog.Current.Find(def.Identifier)!.Current!.TableName;
        await using var cmd = factory.Database.Writer.CreateCommand(
            "SELECT i.indisunique, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1");
        cmd.Parameters.Add(new() { Value = table + "_key" });
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the key index exists");
        Assert.True(r.GetBoolean(0));
        Assert.Contains("(id)", r.GetString(1));

        // The REST door's lookup by that key is one scan of that index (EXPLAIN of the SQL it really ran).
        var row = await client.GetAsync($"/api/v1/datasets/{def.Identifier}/rows/42");
        var rowText = await row.Content.ReadAsStringAsync();
        Assert.True(row.StatusCode == HttpStatusCode.OK, rowText);
        Assert.Equal(42, JsonDocument.Parse(rowText).RootElement.GetProperty("row").GetProperty("id").GetInt32());
        await factory.Services.GetRequiredService<DataOpen.Api.Rows.QueryShapeRecorder>().FlushAsync(CancellationToken.None);
        var (sql, plan) = await RecordedSql.ExplainAsync(factory, table);
        Assert.Contains($"{table}_key", plan);
        Assert.DoesNotContain("Seq Scan", plan);
        Assert.Contains("LIMIT", sql, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Duplicate_keys_reject_the_publish_naming_the_rows_and_the_current_version_stays()
    {
        await factory.ReadyAsync();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = WithKey(TestDatasets.Definition(TestDatasets.NewIdentifier("t-key-dup")), "[\"id\"]");
        var folder = TestDatasets.WriteCsvFolder(def, 500);
        Assert.Equal(PublishStatus.Published, (await PublishAsync(def, Path.Combine(folder, "data.csv"))).Status);

        // station repeats every 17 rows: 17 duplicated key values.
        var byStation = def with { PrimaryKey = ["station"] };
        TestDatasets.WriteCsv(Path.Combine(folder, "data.csv"), 600);
        var ex = await Assert.ThrowsAsync<IngestException>(() => PublishAsync(byStation, Path.Combine(folder, "data.csv")));
        Assert.Equal(IngestProblem.DuplicateKey, ex.Problem);
        Assert.Contains("17 primaryKey value(s)", ex.Message);
        Assert.Matches(@"_row_id \d+ \d+", ex.Message);
        Assert.Equal(1, factory.Catalog.Current.Find(def.Identifier)!.Current!.Version);
    }

    [Fact]
    public async Task Null_keys_reject_the_publish_naming_the_rows()
    {
        await factory.ReadyAsync();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = WithKey(TestDatasets.Definition(TestDatasets.NewIdentifier("t-key-null")), "[\"id\", \"day\"]");
        var folder = TestFolders.New("ds");
        var csv = Path.Combine(folder, "data.csv");
        File.WriteAllText(csv, "id,station,value,day\n1,a,1.5,2024-01-01\n,b,2.5,2024-01-02\n3,c,3.5,\n4,d,4.5,2024-01-04\n");
        var ex = await Assert.ThrowsAsync<IngestException>(() => PublishAsync(def, csv));
        Assert.Equal(IngestProblem.NullKey, ex.Problem);
        Assert.Contains("2 row(s)", ex.Message);
        Assert.Null(factory.Catalog.Current.Find(def.Identifier)?.Current);
    }

    [Fact]
    public async Task A_key_naming_a_missing_field_publishes_nothing_and_says_which()
    {
        await factory.ReadyAsync();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-key-bad")) with { PrimaryKey = ["id", "no_such_field"] };
        var folder = TestDatasets.WriteCsvFolder(def, 50);
        var ex = await Assert.ThrowsAsync<IngestException>(() => PublishAsync(def, Path.Combine(folder, "data.csv")));
        Assert.Equal(IngestProblem.UnknownKeyField, ex.Problem);
        Assert.Contains("no_such_field", ex.Message);
        Assert.Null(factory.Catalog.Current.Find(def.Identifier)?.Current);
    }
}
