using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using DataOpen.Core.Query;

namespace DataOpen.Api.Datasets;

/// <summary>
/// Read-ahead for keyset walks. A client following nextLinks (Power Query, R, Python) asks for page N+1
/// only after it has read page N, so without help the database and the service wait on the client and
/// the client waits on them, once per page. After a door serves a page of a published version that has
/// a next page, it hands the next page's query to <see cref="Start"/>: the rows are read in the
/// background while the client takes in the page. When the request for that page arrives, compiles to the
/// same SQL and parameters and has passed its own access check, <see cref="StreamAsync"/> serves the rows
/// already read. The table of a version never changes, so a page read ahead is exactly what the query
/// would return; anything else (no entry, expired, failed) runs the query as usual.
/// Bounded: at most <see cref="Limits.Rows"/> rows held in all, each page for <see cref="Limits.Keep"/>,
/// at most <see cref="Limits.Reads"/> reads at once; when full, pages are simply not read ahead.
/// </summary>
public sealed class PageReadAhead(QueryRunner runner, PageReadAhead.Limits limits, ILogger<PageReadAhead> logger) : IDisposable
{
    /// <summary>How much read-ahead one instance may hold and do.</summary>
    public sealed record Limits(int Rows, TimeSpan Keep, int Reads);

    private readonly ConcurrentDictionary<string, Entry> pages = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim reads = new(Math.Max(1, limits.Reads));
    private readonly CancellationTokenSource stopping = new();
    private long rowsReserved;
    private long hits;
    private long misses;

    /// <summary>Pages served from rows read ahead.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Pages asked for that had not been read ahead (or expired, or failed): the query ran.</summary>
    public long Misses => Interlocked.Read(ref misses);

    public bool Enabled => limits.Rows > 0;

    /// <summary>Starts reading <paramref name="next"/> in the background, unless the limits say no.</summary>
    public void Start(CompiledQuery next)
    {
        if (!Enabled || stopping.IsCancellationRequested)
        {
            return;
        }

        Sweep();
        var key = KeyOf(next);
        if (pages.ContainsKey(key))
        {
            return;
        }

        if (Interlocked.Add(ref rowsReserved, next.FetchLimit) > limits.Rows || !reads.Wait(0))
        {
            Interlocked.Add(ref rowsReserved, -next.FetchLimit);
            return;
        }

        var entry = new Entry(ReadAsync(next), DateTime.UtcNow + limits.Keep, next.FetchLimit);
        if (!pages.TryAdd(key, entry))
        {
            _ = entry.Rows.ContinueWith(_ => Interlocked.Add(ref rowsReserved, -entry.Reserved), TaskScheduler.Default);
        }
    }

    /// <summary>The rows of <paramref name="query"/>: those read ahead for it when there are, else from the database.</summary>
    public async IAsyncEnumerable<object?[]> StreamAsync(CompiledQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        IReadOnlyList<object?[]>? ready = null;
        if (Enabled && pages.TryRemove(KeyOf(query), out var entry))
        {
            try
            {
                ready = entry.Expires > DateTime.UtcNow ? await entry.Rows.WaitAsync(ct) : null;
            }
            finally
            {
                Interlocked.Add(ref rowsReserved, -entry.Reserved);
            }
        }

        if (ready is not null)
        {
            Interlocked.Increment(ref hits);
            foreach (var row in ready)
            {
                yield return row;
            }

            yield break;
        }

        if (Enabled)
        {
            Interlocked.Increment(ref misses);
        }

        await foreach (var row in runner.StreamAsync(query, ct))
        {
            yield return row;
        }
    }

    /// <summary>The rows, or null when the read failed: the request then runs the query itself and reports any error.</summary>
    private async Task<IReadOnlyList<object?[]>?> ReadAsync(CompiledQuery query)
    {
        try
        {
            await Task.Yield(); // the page that asked for the read-ahead goes on at once
            var rows = new List<object?[]>(query.FetchLimit);
            await foreach (var row in runner.StreamAsync(query, stopping.Token))
            {
                rows.Add(row);
            }

            return rows;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Read-ahead of a page failed; the request for it will run the query");
            return null;
        }
        finally
        {
            reads.Release();
        }
    }

    /// <summary>Drops pages nobody asked for in time.</summary>
    private void Sweep()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, entry) in pages)
        {
            if (entry.Expires <= now && pages.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
            {
                Interlocked.Add(ref rowsReserved, -entry.Reserved);
            }
        }
    }

    /// <summary>The SQL and every parameter (type, length and invariant text): two queries with the same key read the same rows.</summary>
    internal static string KeyOf(CompiledQuery query)
    {
        var sb = new StringBuilder(query.Sql.Length + (32 * query.Parameters.Count)).Append(query.Sql);
        foreach (var p in query.Parameters)
        {
            var text = p switch
            {
                DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
                DateOnly d => d.ToString("O", CultureInfo.InvariantCulture),
                TimeOnly t => t.ToString("O", CultureInfo.InvariantCulture),
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => p.ToString() ?? "",
            };
            sb.Append('\u001f').Append(p.GetType().Name).Append(':').Append(text.Length).Append(':').Append(text);
        }

        return sb.ToString();
    }

    /// <summary>Cancels reads in flight. The semaphore stays: a read finishing after this still releases it.</summary>
    public void Dispose() => stopping.Cancel();

    private sealed record Entry(Task<IReadOnlyList<object?[]>?> Rows, DateTime Expires, int Reserved);
}
