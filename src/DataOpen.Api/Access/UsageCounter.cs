using System.Collections.Concurrent;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Access;

public sealed record UsageRow(DateOnly Day, string? Dataset, string Door, long Requests, long Rows, long Bytes);

/// <summary>
/// Usage per day, key, dataset and door, and the public per-dataset counters (views, downloads, API
/// calls). Requests only add to in-memory counters (lock-free); a background loop writes them in one
/// batch every <see cref="AccessOptions.UsageFlushSeconds"/>, so counting never waits on the database.
/// </summary>
public sealed class UsageCounter(Database database, DataOpen.Api.Catalog.CatalogStore catalog, IOptions<AccessOptions> options, ILogger<UsageCounter> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<(DateOnly Day, long Key, long Dataset, string Door), Counts> usage = new();
    private readonly ConcurrentDictionary<long, Counts> stats = new();
    private readonly SemaphoreSlim flushing = new(1, 1);

    public void Record(DateOnly day, long keyId, long datasetId, string door, long requests, long rows, long bytes)
    {
        var c = usage.GetOrAdd((day, keyId, datasetId, door), _ => new Counts());
        Interlocked.Add(ref c.A, requests);
        Interlocked.Add(ref c.B, rows);
        Interlocked.Add(ref c.C, bytes);
    }

    /// <summary>A view of a dataset's page or detail (public counter).</summary>
    public void CountView(long datasetId) => Interlocked.Increment(ref stats.GetOrAdd(datasetId, _ => new Counts()).A);

    public void CountDownload(long datasetId) => Interlocked.Increment(ref stats.GetOrAdd(datasetId, _ => new Counts()).B);

    public void CountApiCall(long datasetId) => Interlocked.Increment(ref stats.GetOrAdd(datasetId, _ => new Counts()).C);

    /// <summary>Writes what was counted since the last flush (also called at shutdown and by tests).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            // Take each counter's value atomically (Exchange to 0): increments racing with the flush stay for the next one.
            var u = usage.Select(kv => (kv.Key, Taken: kv.Value.Take())).Where(x => !x.Taken.IsZero).ToList();
            var s = stats.Select(kv => (kv.Key, Taken: kv.Value.Take())).Where(x => !x.Taken.IsZero).ToList();
            if (u.Count == 0 && s.Count == 0)
            {
                return;
            }

            try
            {
                await using var conn = await database.Writer.OpenConnectionAsync(ct);
                await using var batch = new NpgsqlBatch(conn);
                if (u.Count > 0)
                {
                    var cmd = new NpgsqlBatchCommand(
                        """
                        INSERT INTO access.usage_daily AS u (day, key_id, dataset_id, door, requests, rows, bytes)
                        SELECT * FROM unnest($1::date[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
                        ON CONFLICT (day, key_id, dataset_id, door) DO UPDATE SET requests = u.requests + EXCLUDED.requests,
                          rows = u.rows + EXCLUDED.rows, bytes = u.bytes + EXCLUDED.bytes
                        """);
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Key.Day).ToArray() });
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Key.Key).ToArray() });
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Key.Dataset).ToArray() });
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Key.Door).ToArray() });
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Taken.A).ToArray() });
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Taken.B).ToArray() });
                    cmd.Parameters.Add(new() { Value = u.Select(x => x.Taken.C).ToArray() });
                    batch.BatchCommands.Add(cmd);
                }

                if (s.Count > 0)
                {
                    var cmd = new NpgsqlBatchCommand(
                        """
                        INSERT INTO catalog.dataset_stats AS s (dataset_id, views, downloads, api_calls)
                        SELECT x.* FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS x (id, v, d, a)
                        WHERE EXISTS (SELECT 1 FROM catalog.datasets WHERE id = x.id)
                        ON CONFLICT (dataset_id) DO UPDATE SET views = s.views + EXCLUDED.views,
                          downloads = s.downloads + EXCLUDED.downloads, api_calls = s.api_calls + EXCLUDED.api_calls
                        """);
                    cmd.Parameters.Add(new() { Value = s.Select(x => x.Key).ToArray() });
                    cmd.Parameters.Add(new() { Value = s.Select(x => x.Taken.A).ToArray() });
                    cmd.Parameters.Add(new() { Value = s.Select(x => x.Taken.B).ToArray() });
                    cmd.Parameters.Add(new() { Value = s.Select(x => x.Taken.C).ToArray() });
                    batch.BatchCommands.Add(cmd);
                }

                await batch.ExecuteNonQueryAsync(ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                // Put the counts back: they are written with the next flush.
                foreach (var (key, t) in u)
                {
                    Record(key.Day, key.Key, key.Dataset, key.Door, t.A, t.B, t.C);
                }

                foreach (var (key, t) in s)
                {
                    var c = stats.GetOrAdd(key, _ => new Counts());
                    Interlocked.Add(ref c.A, t.A);
                    Interlocked.Add(ref c.B, t.B);
                    Interlocked.Add(ref c.C, t.C);
                }

                if (ex is OperationCanceledException)
                {
                    throw;
                }

                logger.LogWarning(ex, "Usage counters could not be written; keeping them for the next flush");
                s.Clear();
            }

            if (s.Count > 0)
            {
                // Public counters show in dataset metadata without waiting for a catalog change.
                try
                {
                    await catalog.RefreshCountersAsync(ct);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    logger.LogWarning(ex, "Public counters were written but not yet refreshed in the catalog snapshot");
                }
            }

            // Forget counters of past days once written, so the dictionary does not grow forever.
            var today = RateLimitService.Day(DateTimeOffset.UtcNow).Day;
            foreach (var key in usage.Keys.Where(k => k.Day < today).ToList())
            {
                if (usage.TryGetValue(key, out var c) && c.IsEmpty)
                {
                    usage.TryRemove(key, out _);
                }
            }
        }
        finally
        {
            flushing.Release();
        }
    }

    /// <summary>One key's usage, newest day first, from the database (counts of the last few seconds may not be there yet).</summary>
    public async Task<List<UsageRow>> ReadAsync(long keyId, DateOnly from, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            """
            SELECT u.day, d.identifier, u.door, u.requests, u.rows, u.bytes FROM access.usage_daily u
            LEFT JOIN catalog.datasets d ON d.id = u.dataset_id
            WHERE u.key_id = $1 AND u.day >= $2 ORDER BY u.day DESC, d.identifier NULLS FIRST, u.door
            """);
        cmd.Parameters.Add(new() { Value = keyId });
        cmd.Parameters.Add(new() { Value = from });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<UsageRow>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new UsageRow(r.GetFieldValue<DateOnly>(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)));
        }

        return list;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.UsageFlushSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stoppingToken);
                if (database.IsReady)
                {
                    await FlushAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (database.IsReady)
        {
            try
            {
                await FlushAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                logger.LogWarning(ex, "Usage counters could not be written at shutdown");
            }
        }
    }

    public override void Dispose()
    {
        flushing.Dispose();
        base.Dispose();
    }

    private sealed class Counts
    {
        public long A;
        public long B;
        public long C;

        public bool IsEmpty => Interlocked.Read(ref A) == 0 && Interlocked.Read(ref B) == 0 && Interlocked.Read(ref C) == 0;

        public Taken Take() => new(Interlocked.Exchange(ref A, 0), Interlocked.Exchange(ref B, 0), Interlocked.Exchange(ref C, 0));
    }

    private readonly record struct Taken(long A, long B, long C)
    {
        public bool IsZero => A == 0 && B == 0 && C == 0;
    }
}
