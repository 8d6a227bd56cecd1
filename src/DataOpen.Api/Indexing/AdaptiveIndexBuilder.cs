using System.Diagnostics;
using System.Globalization;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Indexing;

/// <summary>One decision of a builder run.</summary>
public sealed record BuildDecision(string Dataset, int Version, string Index, string Columns, string Shape, string Status, string? Reason);

/// <summary>
/// What a builder run did: <c>ran</c> (see the decisions), <c>busy</c> (another instance holds the builder lock),
/// <c>unavailable</c> (no hypopg; see the reason) or <c>disabled</c>.
/// </summary>
public sealed record BuilderRun(string Outcome, string? Reason, IReadOnlyList<BuildDecision> Decisions);

/// <summary>
/// Builds adaptive indexes. Each run (every <see cref="IndexingOptions.IntervalSeconds"/> on every instance) takes a
/// session advisory lock, so one instance builds at a time; reads the shapes recorded for current versions; and
/// for each frequent, slow shape asks the planner, with hypothetical indexes, whether one of its candidate indexes
/// would make it at least <see cref="IndexingOptions.MinCostFactor"/> times cheaper. The best such candidate is built
/// <c>CREATE INDEX CONCURRENTLY</c> (the version's table is immutable and stays readable) if its estimated size fits
/// the dataset's budget. Every decision is stored, so it survives a restart and shows in the admin listing.
/// </summary>
public sealed class AdaptiveIndexBuilder(
    Database database, AdaptiveIndexStore store, HypoPg hypo, QueryShapeRecorder recorder, CatalogStore catalog,
    IOptions<IndexingOptions> options, ILogger<AdaptiveIndexBuilder> logger) : BackgroundService
{
    /// <summary>The advisory lock key of the builder (one holder across all instances).</summary>
    public const long LockKey = 0x0DA7A0BE_0012;

    public async Task<BuilderRun> RunOnceAsync(CancellationToken ct)
    {
        if (!options.Value.Enabled)
        {
            return new("disabled", "DataOpen:Indexing:Enabled is false.", []);
        }

        // This instance's latest counts first, so the decision sees them.
        await recorder.FlushAsync(ct);
        if (!await hypo.CheckAsync(ct))
        {
            return new("unavailable", hypo.UnavailableReason, []);
        }

        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", conn) { Parameters = { new() { Value = LockKey } } })
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                return new("busy", "Another instance is building adaptive indexes.", []);
            }
        }

        try
        {
            return new("ran", null, await BuildAsync(conn, ct));
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn) { Parameters = { new() { Value = LockKey } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<List<BuildDecision>> BuildAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var o = options.Value;
        await ReconcileAsync(conn, ct);
        var known = (await store.IndexesAsync(conn, null, null, ct)).ToDictionary(i => (i.Table, i.ColumnKey));
        var decisions = new List<BuildDecision>();
        var builds = 0;
        var due = (await store.ShapesAsync(null, ct))
            .Where(s => s.Kind is QueryShape.Rows or QueryShape.Count && s.SampleSql is not null && s.Calls >= o.MinCalls && s.P95Ms >= o.SlowMs)
            .OrderByDescending(s => s.TotalMs);
        foreach (var shape in due)
        {
            if (catalog.Current.Find(shape.Identifier)?.Current is not { } version || version.Version != shape.Version)
            {
                continue;
            }

            var fields = version.Shape.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            var candidates = IndexCandidates.For(shape.Kind, shape.Filters, shape.Orders, fields);
            if (candidates.Select(c => known.GetValueOrDefault((shape.Table, IndexCandidates.Key(c)))).FirstOrDefault(k => k is { Live: true }) is { } serving)
            {
                await AdaptiveIndexStore.AddShapeAsync(conn, serving.Id, shape.Shape, ct);
                continue;
            }

            // A steward's drop and a failed build are final for this version.
            var open = candidates.Where(c => known.GetValueOrDefault((shape.Table, IndexCandidates.Key(c))) is not { Status: AdaptiveStatus.Dropped or AdaptiveStatus.Failed }).ToList();
            if (open.Count == 0)
            {
                continue;
            }

            var decision = await DecideAsync(conn, shape, version, open, known, builds < o.MaxBuildsPerRun, ct);
            if (decision is not null)
            {
                decisions.Add(decision);
                builds += decision.Status == AdaptiveStatus.Ready ? 1 : 0;
                known = (await store.IndexesAsync(conn, null, null, ct)).ToDictionary(i => (i.Table, i.ColumnKey));
            }
        }

        return decisions;
    }

    private async Task<BuildDecision?> DecideAsync(NpgsqlConnection conn, ShapeStats shape, VersionInfo version, List<IReadOnlyList<IndexColumn>> candidates,
        Dictionary<(string, string), AdaptiveIndexRow> known, bool mayBuild, CancellationToken ct)
    {
        var o = options.Value;
        var parameters = SampleParameters.FromJson(shape.SampleParams ?? "[]");
        var qualified = $"data.{Sql.QuoteIdentifier(shape.Table)}";
        PlanEstimate before;
        var estimates = new List<(IReadOnlyList<IndexColumn> Columns, string Name, HypotheticalEstimate Estimate)>();
        try
        {
            before = await HypoPg.ExplainAsync(conn, shape.SampleSql!, parameters, ct);
            foreach (var columns in candidates)
            {
                var name = IndexCandidates.Name(shape.Table, IndexCandidates.Key(columns));
                var spec = new IndexSpec(name, columns);
                estimates.Add((columns, name, await HypoPg.EstimateAsync(conn, spec.CreateSql(qualified), shape.SampleSql!, parameters, ct)));
            }
        }
        catch (PostgresException ex)
        {
            // A sample that no longer plans (the table went away meanwhile) is skipped, not fatal to the run.
            logger.LogWarning(ex, "Could not explain the sample of shape {Shape} on {Table}", shape.Shape, shape.Table);
            return null;
        }

        var best = estimates.Where(e => e.Estimate.Used).OrderBy(e => e.Estimate.With.Cost).FirstOrDefault();
        var factor = best.Estimate is null ? 0 : before.Cost / Math.Max(best.Estimate.With.Cost, 0.001);
        if (best.Estimate is null || factor < o.MinCostFactor)
        {
            var (columns, name, estimate) = best.Estimate is null ? estimates.OrderBy(e => e.Estimate.With.Cost).First() : best;
            var reason = best.Estimate is null
                ? $"The planner would not use it: with the hypothetical index the plan keeps cost {F(before.Cost)}."
                : $"Cost {F(before.Cost)} → {F(estimate.With.Cost)} is {factor.ToString("0.#", CultureInfo.InvariantCulture)}× cheaper; DataOpen:Indexing:MinCostFactor asks for {o.MinCostFactor.ToString(CultureInfo.InvariantCulture)}×.";
            await store.UpsertAsync(conn, shape, name, columns, AdaptiveStatus.Rejected, reason, before.Cost, estimate.With.Cost, estimate.EstimatedBytes, ct);
            return new(shape.Identifier, shape.Version, name, IndexCandidates.Key(columns), shape.Shape, AdaptiveStatus.Rejected, reason);
        }

        var key = IndexCandidates.Key(best.Columns);
        var budget = o.BudgetFor(shape.Identifier);
        var used = known.Values.Where(k => k.DatasetId == shape.DatasetId && k.Version == shape.Version && k.Live).Sum(k => k.Bytes ?? k.EstimatedBytes ?? 0);
        if (used + best.Estimate.EstimatedBytes > budget)
        {
            var reason = $"Over budget: estimated {best.Estimate.EstimatedBytes} bytes, and {used} of the dataset's {budget} bytes (DataOpen:Indexing:BudgetBytesPerDataset) are used.";
            await store.UpsertAsync(conn, shape, best.Name, best.Columns, AdaptiveStatus.OverBudget, reason, before.Cost, best.Estimate.With.Cost, best.Estimate.EstimatedBytes, ct);
            return new(shape.Identifier, shape.Version, best.Name, key, shape.Shape, AdaptiveStatus.OverBudget, reason);
        }

        if (!mayBuild)
        {
            return null; // DataOpen:Indexing:MaxBuildsPerRun reached: the next run builds it.
        }

        await store.UpsertAsync(conn, shape, best.Name, best.Columns, AdaptiveStatus.Building, null, before.Cost, best.Estimate.With.Cost, best.Estimate.EstimatedBytes, ct);
        var spec2 = new IndexSpec(best.Name, best.Columns);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using (var create = new NpgsqlCommand(spec2.CreateSql(qualified).Replace("CREATE INDEX ", "CREATE INDEX CONCURRENTLY ", StringComparison.Ordinal), conn) { CommandTimeout = 0 })
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var physical = await AdaptiveIndexStore.PhysicalAsync(conn, best.Name, ct);
            await AdaptiveIndexStore.SetBuiltAsync(conn, best.Name, physical?.Bytes ?? 0, ms, ct);
            logger.LogInformation("Built adaptive index {Index} ({Columns}) on {Table} in {Ms} ms for shape {Shape}", best.Name, key, shape.Table, (long)ms, shape.Shape);
            return new(shape.Identifier, shape.Version, best.Name, key, shape.Shape, AdaptiveStatus.Ready, null);
        }
        catch (PostgresException ex)
        {
            // A failed concurrent build leaves an invalid index behind: remove it.
            await DropAsync(conn, best.Name, CancellationToken.None);
            var reason = "The build failed: " + ex.MessageText;
            await store.SetStatusAsync(conn, best.Name, AdaptiveStatus.Failed, reason, null, [AdaptiveStatus.Building], CancellationToken.None);
            logger.LogWarning(ex, "Adaptive index {Index} on {Table} failed to build", best.Name, shape.Table);
            return new(shape.Identifier, shape.Version, best.Name, key, shape.Shape, AdaptiveStatus.Failed, reason);
        }
    }

    /// <summary>
    /// Rows left 'building' by a process that stopped mid-build (the lock is ours, so no build is running): a valid
    /// index is kept as ready, an invalid or missing one is removed so the shape can be decided again.
    /// </summary>
    private async Task ReconcileAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        foreach (var row in (await store.IndexesAsync(conn, null, null, ct)).Where(r => r.Status == AdaptiveStatus.Building))
        {
            if (await AdaptiveIndexStore.PhysicalAsync(conn, row.Name, ct) is { Valid: true } physical)
            {
                await AdaptiveIndexStore.SetBuiltAsync(conn, row.Name, physical.Bytes, null, ct);
            }
            else
            {
                await DropAsync(conn, row.Name, ct);
                await AdaptiveIndexStore.DeleteAsync(conn, row.Name, ct);
            }
        }
    }

    /// <summary>DROP INDEX CONCURRENTLY: readers of the table are not blocked while it goes.</summary>
    public static async Task DropAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var drop = new NpgsqlCommand($"DROP INDEX CONCURRENTLY IF EXISTS data.{Sql.QuoteIdentifier(name)}", conn) { CommandTimeout = 0 };
        await drop.ExecuteNonQueryAsync(ct);
    }

    private static string F(double cost) => cost.ToString("0.##", CultureInfo.InvariantCulture);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.IntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stoppingToken);
                if (database.IsReady)
                {
                    await RunOnceAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(ex, "The adaptive index builder run failed; it runs again in {Seconds} s", options.Value.IntervalSeconds);
            }
        }
    }
}
