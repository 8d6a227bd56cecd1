using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Query;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Rows;

/// <summary>Recording of the query shapes each version serves (the input of adaptive indexes).</summary>
public sealed class QueryShapeOptions
{
    public const string Section = "DataOpen:QueryShapes";

    /// <summary>Count and time every query by shape; off, nothing is recorded and no adaptive index is ever built.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between two writes of an instance's counters to indexing.query_shapes.</summary>
    [Range(1, 3600)]
    public int FlushSeconds { get; set; } = 30;

    /// <summary>Distinct (table, shape, door) counters an instance keeps between two flushes; further new shapes wait for the next flush.</summary>
    [Range(10, 1_000_000)]
    public int MaxShapes { get; set; } = 10_000;
}

/// <summary>
/// Counts and times the queries the row engine runs, per version table, shape and door. A call only
/// adds to in-memory counters (no lock, no I/O); a background loop adds them to
/// <c>indexing.query_shapes</c> in one batch every <see cref="QueryShapeOptions.FlushSeconds"/>, so every
/// instance's counts end up summed in the table. Times go into fixed buckets so percentiles can be taken
/// of the sum. Each flush also keeps the slowest call's SQL and parameters, for EXPLAIN.
/// </summary>
public sealed class QueryShapeRecorder(Database database, IOptions<QueryShapeOptions> options, ILogger<QueryShapeRecorder> logger) : BackgroundService
{
    /// <summary>Upper bounds (ms) of the time buckets; the last bucket takes everything slower.</summary>
    public static readonly double[] BucketBoundsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, double.PositiveInfinity];

    private readonly ConcurrentDictionary<(string Table, string Shape, string Door), Counter> counters = new();
    private readonly SemaphoreSlim flushing = new(1, 1);

    public void Record(CompiledQuery query, double elapsedMs)
    {
        if (!options.Value.Enabled || query.Shape is not { Schema: "data" } shape)
        {
            return;
        }

        var key = (shape.Table, shape.Key, QueryDoor.Name);
        if (!counters.TryGetValue(key, out var c))
        {
            if (counters.Count >= options.Value.MaxShapes)
            {
                return;
            }

            c = counters.GetOrAdd(key, _ => new Counter(shape));
        }

        c.Add(1, elapsedMs, elapsedMs, Bucket(elapsedMs));
        c.Offer(query.Sql, query.Parameters, elapsedMs);
    }

    private static int Bucket(double ms)
    {
        var i = 0;
        while (ms > BucketBoundsMs[i])
        {
            i++;
        }

        return i;
    }

    /// <summary>Adds what was counted since the last flush to the table (also called at shutdown and by tests).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            var taken = counters.Select(kv => (kv.Key, kv.Value, Taken: kv.Value.Take())).Where(x => x.Taken.Calls > 0).ToList();
            if (taken.Count > 0)
            {
                try
                {
                    await WriteAsync(taken.Select(x => (x.Key.Table, x.Key.Door, x.Value.Shape, x.Taken)).ToList(), ct);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    foreach (var (_, counter, t) in taken)
                    {
                        counter.PutBack(t);
                    }

                    logger.LogWarning(ex, "Query shape counters could not be written; keeping them for the next flush");
                    return;
                }
            }

            // Forget written counters that stayed idle, so the dictionary holds only the shapes being served.
            foreach (var (key, c) in counters)
            {
                if (c.IsEmpty && !taken.Any(t => ReferenceEquals(t.Value, c)))
                {
                    counters.TryRemove(new KeyValuePair<(string, string, string), Counter>(key, c));
                }
            }
        }
        finally
        {
            flushing.Release();
        }
    }

    private async Task WriteAsync(List<(string Table, string Door, QueryShape Shape, Taken T)> rows, CancellationToken ct)
    {
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var (table, door, shape, t) in rows)
        {
            var cmd = new NpgsqlBatchCommand(
                """
                INSERT INTO indexing.query_shapes AS s (table_name, door, shape, kind, filters, orders, calls, total_ms, max_ms, buckets, sample_sql, sample_params)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11, $12::jsonb)
                ON CONFLICT (table_name, shape, door) DO UPDATE SET
                  calls = s.calls + EXCLUDED.calls, total_ms = s.total_ms + EXCLUDED.total_ms, max_ms = greatest(s.max_ms, EXCLUDED.max_ms),
                  buckets = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(s.buckets, EXCLUDED.buckets) WITH ORDINALITY AS u (a, b, i) ORDER BY i),
                  sample_sql = coalesce(EXCLUDED.sample_sql, s.sample_sql), sample_params = coalesce(EXCLUDED.sample_params, s.sample_params),
                  last_seen = now()
                """);
            cmd.Parameters.Add(new() { Value = table });
            cmd.Parameters.Add(new() { Value = door });
            cmd.Parameters.Add(new() { Value = shape.Key });
            cmd.Parameters.Add(new() { Value = shape.Kind });
            cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(shape.Filters.Select(f => new { field = f.Field, op = f.Op })) });
            cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(shape.Order.Select(o => new { field = o.Field, descending = o.Descending })) });
            cmd.Parameters.Add(new() { Value = t.Calls });
            cmd.Parameters.Add(new() { Value = t.TotalMicros / 1000.0 });
            cmd.Parameters.Add(new() { Value = t.MaxMicros / 1000.0 });
            cmd.Parameters.Add(new() { Value = t.Buckets });
            cmd.Parameters.Add(new() { Value = (object?)t.Sample?.Sql ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = t.Sample is { } s ? SampleParameters.ToJson(s.Parameters) : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            batch.BatchCommands.Add(cmd);
        }

        await batch.ExecuteNonQueryAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.FlushSeconds);
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
                logger.LogWarning(ex, "Query shape counters could not be written at shutdown");
            }
        }
    }

    public override void Dispose()
    {
        flushing.Dispose();
        base.Dispose();
    }

    private sealed record Sample(string Sql, IReadOnlyList<object> Parameters, double Ms);

    private sealed record Taken(long Calls, long TotalMicros, long MaxMicros, long[] Buckets, Sample? Sample);

    private sealed class Counter(QueryShape shape)
    {
        private readonly long[] buckets = new long[BucketBoundsMs.Length];
        private long calls;
        private long totalMicros;
        private long maxMicros;
        private Sample? sample;

        public QueryShape Shape { get; } = shape;

        public bool IsEmpty => Interlocked.Read(ref calls) == 0;

        public void Add(long n, double totalMs, double maxMs, int bucket)
        {
            Interlocked.Add(ref totalMicros, (long)(totalMs * 1000));
            var max = (long)(maxMs * 1000);
            for (var seen = Interlocked.Read(ref maxMicros); max > seen; seen = Interlocked.Read(ref maxMicros))
            {
                if (Interlocked.CompareExchange(ref maxMicros, max, seen) == seen)
                {
                    break;
                }
            }

            if (bucket >= 0)
            {
                Interlocked.Add(ref buckets[bucket], n);
            }

            Interlocked.Add(ref calls, n);
        }

        /// <summary>Keeps the slowest call's SQL since the last flush; a cheap comparison first, so a fast call takes no lock.</summary>
        public void Offer(string sql, IReadOnlyList<object> parameters, double ms)
        {
            if (Volatile.Read(ref sample) is { } s && s.Ms >= ms)
            {
                return;
            }

            lock (this.buckets)
            {
                if (sample is null || sample.Ms < ms)
                {
                    Volatile.Write(ref sample, new Sample(sql, parameters, ms));
                }
            }
        }

        public Taken Take()
        {
            var n = Interlocked.Exchange(ref calls, 0);
            var b = new long[buckets.Length];
            for (var i = 0; i < b.Length; i++)
            {
                b[i] = Interlocked.Exchange(ref buckets[i], 0);
            }

            return new Taken(n, Interlocked.Exchange(ref totalMicros, 0), Interlocked.Exchange(ref maxMicros, 0), b, Interlocked.Exchange(ref sample, null));
        }

        public void PutBack(Taken t)
        {
            for (var i = 0; i < t.Buckets.Length; i++)
            {
                Interlocked.Add(ref buckets[i], t.Buckets[i]);
            }

            Add(t.Calls, t.TotalMicros / 1000.0, t.MaxMicros / 1000.0, -1);
            if (t.Sample is { } s)
            {
                Offer(s.Sql, s.Parameters, s.Ms);
            }
        }
    }
}
