using System.Net;
using System.Text.Json;
using DataOpen.Api.Publishing;
using DataOpen.Api.Rows;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Api.Tests.Rest;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Api.Tests.Indexing;

/// <summary>A service whose query shapes are written only when a test flushes them (their sample SQL is what gets EXPLAINed).</summary>
public sealed class IndexPlanFactory : DataOpenFactory
{
    /// <summary>Waits until the database is open and migrated (/health/ready answers 200): the host opens it in the background.</summary>
    public async Task ReadyAsync()
    {
        using var client = CreateClient();
        for (var i = 0; i < 600 && (await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
        }
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataOpen:SeedOnStart", "false"),
        new("DataOpen:Indexing:Enabled", "false"),
        new("DataOpen:QueryShapes:FlushSeconds", "3600"),
    ];
}

/// <summary>
/// The index plan of a published version on a real PostgreSQL: what it builds (declared, composite, from the data's
/// statistics, BRIN, trigram), that it is recorded with sizes and build times and shown to stewards, that the
/// queries of the peer benchmark (one station, newest first; a deep cursor page; contains) are index scans, and that
/// a plan that cannot be built publishes nothing.
/// </summary>
public sealed class IndexPlanTests(IndexPlanFactory factory) : IClassFixture<IndexPlanFactory>
{
    private static DatasetDefinition Definition(string identifier, IReadOnlyList<IndexDeclaration>? indexes = null, IReadOnlyList<FieldSpec>? fields = null) =>
        TestDatasets.Definition(identifier, fields: fields) with { Indexes = indexes };

    private async Task<DatasetDefinition> PublishAsync(DatasetDefinition def, int rows = 60_000)
    {
        await factory.ReadyAsync();
        var folder = TestDatasets.WriteCsvFolder(def, rows);
        await RestFixtures.PublishAsync(factory, def, Path.Combine(folder, "data.csv"));
        return def;
    }

    private async Task<List<VersionIndex>> PlanAsync(string dataset, int version = 1)
    {
        using var admin = factory.CreateAdminClient();
        var response = await admin.GetAsync($"/api/v1/admin/datasets/{dataset}/versions/{version}/indexes");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<List<VersionIndex>>(text, JsonSerializerOptions.Web)!;
    }

    private static string Columns(VersionIndex index) => string.Join(",", index.Columns.Select(c => c.Field + (c.Descending ? " desc" : "")));

    /// <summary>Runs a REST request, flushes the recorded shapes and EXPLAINs (as the reader role) the SQL the engine ran for it.</summary>
    private async Task<string> ExplainRestAsync(string dataset, string query)
    {
        var table = factory.Catalog.Current.Find(dataset)!.Current!.TableName;
        var recorder = factory.Services.GetRequiredService<QueryShapeRecorder>();
        await recorder.FlushAsync(CancellationToken.None); // earlier calls of the same shape out of the way
        await using (var clear = factory.Database.Writer.CreateCommand("DELETE FROM indexing.query_shapes WHERE table_name = $1"))
        {
            clear.Parameters.Add(new() { Value = table });
            await clear.ExecuteNonQueryAsync();
        }

        using var client = factory.CreateClient();
        var response = await client.GetAsync($"/api/v1/datasets/{dataset}/rows?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await recorder.FlushAsync(CancellationToken.None);

        var (sql, plan) = await RecordedSql.ExplainAsync(factory, table, kind: "rows");
        return sql + "\n" + plan;
    }

    [Fact]
    public async Task A_version_gets_its_declared_composite_and_statistics_indexes_recorded_with_bytes_and_build_time()
    {
        var def = await PublishAsync(Definition(TestDatasets.NewIdentifier("t-plan"), [new(["station", "-value"])], [new FieldSpec("station", Search: true)]));
        var plan = await PlanAsync(def.Identifier);
        var byColumns = plan.ToDictionary(Columns);

        Assert.Equal("row-id", byColumns["_row_id"].Origin);
        Assert.Equal(("composite", "btree"), (byColumns["station,value desc,_row_id desc"].Origin, byColumns["station,value desc,_row_id desc"].Method));
        var trigram = plan.Single(i => i.Method == "gin");
        Assert.Equal(("declared", "station"), (trigram.Origin, Columns(trigram)));
        Assert.EndsWith("gin_trgm_ops", trigram.OpClass);
        // From the statistics: id follows the load order (BRIN), day is a date, value a numeric measure.
        Assert.Equal(("brin", "brin"), (byColumns["id"].Origin, byColumns["id"].Method));
        Assert.Equal("statistics", byColumns["day,_row_id"].Origin);
        Assert.Equal("statistics", byColumns["value,_row_id"].Origin);
        Assert.All(plan, i => Assert.True(i.Bytes > 0, $"{i.Name} has its size"));
        Assert.All(plan.Where(i => i.Origin != "row-id"), i => Assert.True(i.BuildMs > 0, $"{i.Name} has its build time"));

        // What the plan lists is what is on the table.
        await using var cmd = factory.Database.Writer.CreateCommand("SELECT count(*) FROM pg_indexes WHERE schemaname = 'data' AND tablename = $1");
        cmd.Parameters.Add(new() { Value = factory.Catalog.Current.Find(def.Identifier)!.Current!.TableName });
        Assert.Equal((long)plan.Count, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_benchmark_queries_are_index_scans_first_page_deep_cursor_page_and_contains()
    {
        var def = await PublishAsync(Definition(TestDatasets.NewIdentifier("t-plan-q"), [new(["station", "-value"])], [new FieldSpec("station", Search: true)]));
        var filter = "filter=" + Uri.EscapeDataString("station eq '站点3'");

        var first = await ExplainRestAsync(def.Identifier, $"{filter}&order=-value&limit=100");
        Assert.False(first.Contains("Seq Scan") || first.Contains("Sort  ("), first);
        Assert.Contains("Index Scan", first);

        // A page deep in the keyset order: the cursor after the station's 3,000th row.
        using var client = factory.CreateClient();
        var next = $"/api/v1/datasets/{def.Identifier}/rows?{filter}&order=-value&limit=1000";
        for (var page = 0; page < 3; page++)
        {
            using var body = JsonDocument.Parse(await client.GetStringAsync(next));
            next = body.RootElement.GetProperty("next").GetString()!;
        }

        // The benchmark's page size at that depth.
        var cursorQuery = next[(next.IndexOf('?') + 1)..].Replace("limit=1000", "limit=100", StringComparison.Ordinal);
        Assert.Contains("cursor=", cursorQuery);
        var cursorPlan = await ExplainRestAsync(def.Identifier, cursorQuery);
        Assert.False(cursorPlan.Contains("Seq Scan") || cursorPlan.Contains("Sort  ("), cursorPlan);

        var contains = await ExplainRestAsync(def.Identifier, "station[contains]=" + Uri.EscapeDataString("点16") + "&limit=100");
        Assert.False(contains.Contains("Seq Scan"), contains);
        Assert.Contains("_p", contains); // one of the plan's indexes ({table}_p{n})
    }

    [Fact]
    public async Task A_plan_naming_an_unknown_field_publishes_nothing_and_says_which()
    {
        var def = Definition(TestDatasets.NewIdentifier("t-plan-bad"), [new(["station", "-no_such_field"])]);
        var folder = TestDatasets.WriteCsvFolder(def, 2_000);
        await factory.ReadyAsync();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var ex = await Assert.ThrowsAsync<IngestException>(() =>
            factory.Services.GetRequiredService<DatasetPublisher>().PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None));
        Assert.Contains("indexes[0]", ex.Message);
        Assert.Contains("no_such_field", ex.Message);
        Assert.Null(factory.Catalog.Current.Find(def.Identifier)?.Current);
        await using var cmd = factory.Database.Writer.CreateCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'data' AND tablename LIKE 'ds%' AND tablename NOT IN (SELECT table_name FROM catalog.versions)");
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_small_version_gets_only_its_declared_indexes()
    {
        var def = await PublishAsync(Definition(TestDatasets.NewIdentifier("t-plan-small"), [new(["station", "-value"])]), rows: 500);
        var plan = await PlanAsync(def.Identifier);
        Assert.Equal(["_row_id", "station,value desc,_row_id desc"], plan.Select(Columns).Order(StringComparer.Ordinal));
    }

    // Totals: an unfiltered one is the version's stored row count (no count(*)), a filtered one an exact count.

    private async Task<(long Count, string Sql)> CountAsync(string dataset, string query)
    {
        var table = factory.Catalog.Current.Find(dataset)!.Current!.TableName;
        var recorder = factory.Services.GetRequiredService<QueryShapeRecorder>();
        await recorder.FlushAsync(CancellationToken.None);
        await using (var clear = factory.Database.Writer.CreateCommand("DELETE FROM indexing.query_shapes WHERE table_name = $1"))
        {
            clear.Parameters.Add(new() { Value = table });
            await clear.ExecuteNonQueryAsync();
        }

        using var client = factory.CreateClient();
        using var body = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/datasets/{dataset}/rows?count=true&limit=1{query}"));
        await recorder.FlushAsync(CancellationToken.None);
        await using var cmd = factory.Database.Writer.CreateCommand("SELECT sample_sql FROM indexing.query_shapes WHERE table_name = $1 AND kind = 'count'");
        cmd.Parameters.Add(new() { Value = table });
        return (body.RootElement.GetProperty("count").GetInt64(), (string)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task An_unfiltered_total_is_the_stored_row_count_and_a_filtered_one_is_exact()
    {
        await factory.ReadyAsync();
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-count"));
        var folder = TestDatasets.WriteCsvFolder(def, 3_400);
        await RestFixtures.PublishAsync(factory, def, Path.Combine(folder, "data.csv"));

        var (total, totalSql) = await CountAsync(def.Identifier, "");
        Assert.Equal(3_400, total);
        Assert.Contains("catalog.versions", totalSql);
        Assert.DoesNotContain("count(*) FROM \"data\"", totalSql.Split("COALESCE")[0]);

        // The stored count is what is read: change it and the total follows (the table is immutable, so it never differs).
        await using (var cmd = factory.Database.Writer.CreateCommand("UPDATE catalog.versions SET row_count = 3401 WHERE table_name = $1"))
        {
            cmd.Parameters.Add(new() { Value = factory.Catalog.Current.Find(def.Identifier)!.Current!.TableName });
            await cmd.ExecuteNonQueryAsync();
        }

        Assert.Equal(3_401, (await CountAsync(def.Identifier, "")).Count);

        // station 站点3: i % 17 == 3 for i in 1..3400 → 200 rows, counted exactly.
        var (filtered, filteredSql) = await CountAsync(def.Identifier, "&station=" + Uri.EscapeDataString("站点3"));
        Assert.Equal(200, filtered);
        Assert.StartsWith("SELECT count(*)", filteredSql);
    }
}
