using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Indexing;
using DataOpen.Api.Rows;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Api.Tests.Rest;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Api.Tests.Indexing;

/// <summary>
/// A service whose builder runs only when a test calls it (interval and flush of an hour), with thresholds a test
/// can reach in a few requests (5 calls, any time), and a 1 KB budget for one dataset.
/// </summary>
public sealed class AdaptiveIndexFactory : DataOpenFactory
{
    public const string TightBudget = "t-adaptive-tight";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataOpen:SeedOnStart", "false"),
        // Only the declared indexes at publish: the adaptive builder is what is tested here.
        new("DataOpen:IndexPlan:MaxStatisticsIndexes", "0"),
        new("DataOpen:Indexing:IntervalSeconds", "3600"),
        new("DataOpen:QueryShapes:FlushSeconds", "3600"),
        new("DataOpen:Indexing:MinCalls", "5"),
        new("DataOpen:Indexing:SlowMs", "0"),
        new("DataOpen:Indexing:MinCostFactor", "5"),
        new("DataOpen:Indexing:MaxBuildsPerRun", "10"),
        new($"DataOpen:Indexing:DatasetBudgets:{TightBudget}", "1024"),
    ];
}

/// <summary>Adaptive indexes on a real PostgreSQL with the real hypopg extension, through the REST door and the admin endpoints.</summary>
public sealed class AdaptiveIndexTests(AdaptiveIndexFactory factory) : IClassFixture<AdaptiveIndexFactory>
{
    /// <summary>station eq one of 17, newest value first: with no index, a Seq Scan of all 60,000 rows and a sort.</summary>
    private const string ShapeKey = "rows|station:eq|value:desc,_row_id:desc";

    private AdaptiveIndexBuilder Builder => factory.Services.GetRequiredService<AdaptiveIndexBuilder>();

    private async Task<string> PublishAsync(string? identifier = null, int seed = 1)
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(identifier ?? TestDatasets.NewIdentifier("t-adaptive"));
        var folder = TestDatasets.WriteCsvFolder(def, 60_000, seed);
        await RestFixtures.PublishAsync(factory, def, Path.Combine(folder, "data.csv"));
        return def.Identifier;
    }

    /// <summary>The REST door's page query of the shape, once per station, <paramref name="times"/> times.</summary>
    private async Task ServeShapeAsync(string dataset, int times = 10)
    {
        using var client = factory.CreateClient();
        for (var i = 0; i < times; i++)
        {
            var response = await client.GetAsync($"/api/v1/datasets/{dataset}/rows?filter={Uri.EscapeDataString($"station eq '站点{i % 17}'")}&order=-value&limit=100");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private string CurrentTable(string dataset) => factory.Catalog.Current.Find(dataset)!.Current!.TableName;

    /// <summary>The plan of the recorded sample query of the shape, as the reader role gets it.</summary>
    private async Task<string> ExplainSampleAsync(string dataset) => (await RecordedSql.ExplainAsync(factory, CurrentTable(dataset), ShapeKey)).Plan;

    private async Task<AdaptiveIndexList> ListAsync(string dataset)
    {
        using var admin = factory.CreateAdminClient();
        var response = await admin.GetAsync($"/api/v1/admin/datasets/{dataset}/indexes");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<AdaptiveIndexList>(text, JsonSerializerOptions.Web)!;
    }

    private async Task<List<string>> PhysicalIndexesAsync(string table)
    {
        await using var cmd = factory.Database.Writer.CreateCommand("SELECT indexname FROM pg_indexes WHERE schemaname = 'data' AND tablename = $1 AND indexname LIKE 'ai\\_%' ORDER BY 1");
        cmd.Parameters.Add(new() { Value = table });
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    [Fact]
    public async Task A_frequent_slow_shape_gets_an_index_the_planner_then_uses_and_the_listing_shows_it_with_its_shape()
    {
        var dataset = await PublishAsync();
        await ServeShapeAsync(dataset);
        await factory.Services.GetRequiredService<QueryShapeRecorder>().FlushAsync(CancellationToken.None);
        var before = await ExplainSampleAsync(dataset);
        Assert.Contains("Seq Scan", before, StringComparison.Ordinal);

        var run = await Builder.RunOnceAsync(CancellationToken.None);
        Assert.Equal("ran", run.Outcome);
        var built = Assert.Single(run.Decisions, d => d.Dataset == dataset);
        Assert.Equal(AdaptiveStatus.Ready, built.Status);
        Assert.Equal("station,value desc,_row_id desc", built.Columns);

        var after = await ExplainSampleAsync(dataset);
        Assert.Contains("Index Scan using " + built.Index, after, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", after, StringComparison.Ordinal);
        Assert.Equal([built.Index], await PhysicalIndexesAsync(CurrentTable(dataset)));

        await ServeShapeAsync(dataset, 3);
        var list = await ListAsync(dataset);
        Assert.True(list.Available);
        var index = Assert.Single(list.Indexes);
        Assert.Equal((built.Index, AdaptiveStatus.Ready, 1), (index.Name, index.Status, index.Version));
        Assert.Equal(ShapeKey, Assert.Single(index.Shapes).Shape);
        Assert.True(index.Shapes[0].Calls >= 10, $"calls {index.Shapes[0].Calls}");
        Assert.True(index.Bytes > 8192 && index.BuildMs > 0 && index.CostAfter * 5 <= index.CostBefore, JsonSerializer.Serialize(index));
        Assert.Equal(index.Bytes, (long?)list.UsedBytes);
        var shape = Assert.Single(list.Shapes, s => s.Shape == ShapeKey);
        Assert.Equal(["rest"], shape.Doors);
        Assert.Equal([new("station", "eq")], shape.Filters);

        // A second run finds the shape served: nothing new is built.
        var again = await Builder.RunOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(again.Decisions, d => d.Dataset == dataset);
    }

    [Fact]
    public async Task A_kept_index_is_carried_into_the_next_publish_and_a_dropped_one_is_gone_for_good()
    {
        var dataset = await PublishAsync();
        await ServeShapeAsync(dataset);
        var built = Assert.Single((await Builder.RunOnceAsync(CancellationToken.None)).Decisions, d => d.Dataset == dataset);
        using var admin = factory.CreateAdminClient();

        var keep = await admin.PostAsync($"/api/v1/admin/datasets/{dataset}/indexes/{built.Index}/keep", null);
        Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
        Assert.Equal(AdaptiveStatus.Kept, (await keep.Content.ReadFromJsonAsync<AdaptiveIndexDto>(JsonSerializerOptions.Web))!.Status);

        await PublishAsync(dataset, seed: 2);
        var table2 = CurrentTable(dataset);
        var carried = Assert.Single(await PhysicalIndexesAsync(table2));
        var list = await ListAsync(dataset);
        Assert.Equal(2, list.CurrentVersion);
        var v2 = Assert.Single(list.Indexes, i => i.Version == 2);
        Assert.Equal((carried, AdaptiveStatus.Kept, 1, "station,value desc,_row_id desc"), (v2.Name, v2.Status, v2.CarriedFrom, IndexCandidates.Key(v2.Columns)));
        Assert.True(v2.Bytes > 0);

        var drop = await admin.DeleteAsync($"/api/v1/admin/datasets/{dataset}/indexes/{carried}");
        Assert.Equal(HttpStatusCode.OK, drop.StatusCode);
        Assert.Empty(await PhysicalIndexesAsync(table2));
        Assert.Equal(AdaptiveStatus.Dropped, Assert.Single((await ListAsync(dataset)).Indexes, i => i.Version == 2).Status);

        // Served again and slow again, the dropped index is not rebuilt for this version.
        await ServeShapeAsync(dataset);
        Assert.DoesNotContain((await Builder.RunOnceAsync(CancellationToken.None)).Decisions, d => d.Dataset == dataset);
        Assert.Empty(await PhysicalIndexesAsync(table2));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/admin/datasets/{dataset}/indexes/ai_nope")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync($"/api/v1/admin/datasets/{dataset}/indexes")).StatusCode);
    }

    [Fact]
    public async Task An_index_over_the_dataset_budget_is_not_built_and_the_listing_says_why()
    {
        var tight = await PublishAsync(AdaptiveIndexFactory.TightBudget);
        var dataset = await PublishAsync();
        await ServeShapeAsync(tight);
        await ServeShapeAsync(dataset);
        var run = await Builder.RunOnceAsync(CancellationToken.None);

        var refused = Assert.Single(run.Decisions, d => d.Dataset == tight);
        Assert.Equal(AdaptiveStatus.OverBudget, refused.Status);
        Assert.Empty(await PhysicalIndexesAsync(CurrentTable(tight)));
        var listed = Assert.Single((await ListAsync(tight)).Indexes);
        Assert.Equal(AdaptiveStatus.OverBudget, listed.Status);
        Assert.Contains("Over budget", listed.Reason, StringComparison.Ordinal);
        Assert.Contains("of the dataset's 1024 bytes", listed.Reason, StringComparison.Ordinal);
        Assert.True(listed.EstimatedBytes > 1024);

        // The same shape on a dataset with the default budget is built.
        Assert.Equal(AdaptiveStatus.Ready, Assert.Single(run.Decisions, d => d.Dataset == dataset).Status);
    }

    [Fact]
    public async Task Only_one_builder_builds_at_a_time()
    {
        var dataset = await PublishAsync();
        await ServeShapeAsync(dataset);

        // Another instance holds the builder lock: this one builds nothing.
        await using (var other = await factory.Database.Writer.OpenConnectionAsync())
        {
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({AdaptiveIndexBuilder.LockKey})", other))
            {
                await take.ExecuteNonQueryAsync();
            }

            var blocked = await Builder.RunOnceAsync(CancellationToken.None);
            Assert.Equal("busy", blocked.Outcome);
            Assert.Empty(await PhysicalIndexesAsync(CurrentTable(dataset)));
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdaptiveIndexBuilder.LockKey})", other);
            await release.ExecuteNonQueryAsync();
        }

        // Two builders at once (a second instance's builder over the same database): one index, built once.
        var second = ActivatorUtilities.CreateInstance<AdaptiveIndexBuilder>(factory.Services);
        var runs = await Task.WhenAll(Builder.RunOnceAsync(CancellationToken.None), second.RunOnceAsync(CancellationToken.None));
        Assert.Contains(runs, r => r.Outcome == "ran");
        Assert.Single(runs.SelectMany(r => r.Decisions), d => d.Dataset == dataset && d.Status == AdaptiveStatus.Ready);
        Assert.Single(await PhysicalIndexesAsync(CurrentTable(dataset)));
    }

    [Fact]
    public async Task Without_hypopg_nothing_is_built_the_reason_is_logged_once_and_the_listing_says_why()
    {
        var dataset = await PublishAsync();
        await ServeShapeAsync(dataset);
        var superuser = factory.Database.Embedded!.SuperUserConnectionString(DataOpen.Api.Infrastructure.Database.DatabaseName);
        await ExecuteAsync(superuser, "DROP EXTENSION hypopg");
        try
        {
            var first = await Builder.RunOnceAsync(CancellationToken.None);
            var second = await Builder.RunOnceAsync(CancellationToken.None);
            Assert.Equal(("unavailable", "unavailable"), (first.Outcome, second.Outcome));
            Assert.Contains("CREATE EXTENSION hypopg", first.Reason, StringComparison.Ordinal);
            Assert.Empty(await PhysicalIndexesAsync(CurrentTable(dataset)));
            Assert.Single(factory.Logs.Messages, m => m.Contains("Adaptive indexes are off", StringComparison.Ordinal));

            var list = await ListAsync(dataset);
            Assert.False(list.Available);
            Assert.Contains("hypopg", list.UnavailableReason, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(superuser, "CREATE EXTENSION IF NOT EXISTS hypopg");
        }

        Assert.Equal("ran", (await Builder.RunOnceAsync(CancellationToken.None)).Outcome);
        Assert.Single(await PhysicalIndexesAsync(CurrentTable(dataset)));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
