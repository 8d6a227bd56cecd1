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
/// a next page, it hands the next page's query to <see cref="Start"/> with a way to derive the page after
/// it from a page's last row: pages are then read in the background, up to <see cref="Limits.Depth"/>
/// pages ahead of what the walk has been served, while the client takes in the current one. When the
/// request for a page arrives, compiles to the same SQL and parameters and has passed its own access
/// check, <see cref="StreamAsync"/> serves the rows already read. The table of a version never changes,
/// so a page read ahead is exactly what the query would return; anything else (no entry, expired,
/// failed) runs the query as usual.
/// Bounded: at most <see cref="Limits.Rows"/> rows held in all, each page for <see cref="Limits.Keep"/>,
/// at most <see cref="Limits.Reads"/> reads at once; when full, pages are simply not read ahead.
/// </summary>
public sealed class PageReadAhead(QueryRunner runner, PageReadAhead.Limits limits, ILogger<PageReadAhead> logger) : IDisposable
{
    /// <summary>How much read-ahead one instance may hold and do; <paramref name="Depth"/> pages ahead per walk.</summary>
    public sealed record Limits(int Rows, TimeSpan Keep, int Reads, int Depth = 4);

    private readonly ConcurrentDictionary<string, Entry> pages = new(StringComparer.Ordinal);

    // One per query shape being walked (the SQL text: pages of a walk differ only in their parameters).
    private readonly ConcurrentDictionary<string, Walk> walks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim reads = new(Math.Max(1, limits.Reads));
    private readonly CancellationTokenSource stopping = new();
    private long rowsReserved;
    private long hits;
    private long misses;
    private long waited;

    /// <summary>Pages served from rows read ahead.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Hits whose read was still running when the request arrived (the request waited for the rest of it).</summary>
    public long Waited => Interlocked.Read(ref waited);

    /// <summary>Pages asked for that had not been read ahead (or expired, or failed): the query ran.</summary>
    public long Misses => Interlocked.Read(ref misses);

    public bool Enabled => limits.Rows > 0;

    /// <summary>
    /// Starts reading <paramref name="next"/> in the background, unless it is already read or the limits
    /// say no. <paramref name="successor"/> gives the query of the page after a page from that page's last
    /// row (null when there is none); with it the walk is read up to <see cref="Limits.Depth"/> pages ahead.
    /// </summary>
    public void Start(CompiledQuery next, Func<object?[], CompiledQuery?>? successor = null)
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

        var walk = walks.GetOrAdd(next.Sql, _ => new Walk());
        var entry = new Entry(next, successor, walk, DateTime.UtcNow + limits.Keep);
        lock (walk)
        {
            walk.Pending++;
            walk.LastUsed = DateTime.UtcNow;
        }

        if (!pages.TryAdd(key, entry))
        {
            lock (walk)
            {
                walk.Pending--;
            }

            Interlocked.Add(ref rowsReserved, -next.FetchLimit);
            reads.Release();
            return;
        }

        lock (walk)
        {
            walk.Tail = entry;
        }

        entry.Rows = ReadAsync(entry);
    }

    /// <summary>The rows of <paramref name="query"/>: those read ahead for it when there are, else from the database.</summary>
    public async IAsyncEnumerable<object?[]> StreamAsync(CompiledQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        IReadOnlyList<object?[]>? ready = null;
        if (Enabled && pages.TryRemove(KeyOf(query), out var entry))
        {
            try
            {
                if (!entry.Rows.IsCompleted)
                {
                    Interlocked.Increment(ref waited);
                }

                ready = entry.Expires > DateTime.UtcNow ? await entry.Rows.WaitAsync(ct) : null;
            }
            finally
            {
                Served(entry);
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
    private async Task<IReadOnlyList<object?[]>?> ReadAsync(Entry entry)
    {
        List<object?[]>? rows = null;
        try
        {
            await Task.Yield(); // the page that asked for the read-ahead goes on at once
            rows = new List<object?[]>(entry.Query.FetchLimit);
            await foreach (var row in runner.StreamAsync(entry.Query, stopping.Token))
            {
                rows.Add(row);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Read-ahead of a page failed; the request for it will run the query");
            rows = null;
        }
        finally
        {
            reads.Release();
        }

        if (rows is not null)
        {
            entry.Read = rows;
            Continue(entry.Walk);
        }

        return rows;
    }

    /// <summary>A page of the walk was taken by its request (or dropped): the walk may read further.</summary>
    private void Served(Entry entry)
    {
        Interlocked.Add(ref rowsReserved, -entry.Query.FetchLimit);
        lock (entry.Walk)
        {
            entry.Walk.Pending--;
            entry.Walk.LastUsed = DateTime.UtcNow;
        }

        Continue(entry.Walk);
    }

    /// <summary>
    /// Reads the page after the walk's furthest page read, while fewer than <see cref="Limits.Depth"/> of its
    /// pages wait for their requests. The furthest page is the last one read that has a successor not yet started.
    /// </summary>
    private void Continue(Walk walk)
    {
        Entry? from;
        lock (walk)
        {
            from = walk.Tail;
            if (from?.Read is null || from.Successor is null || from.Chained || walk.Pending >= limits.Depth)
            {
                return;
            }

            from.Chained = true;
        }

        if (from.Read.Count > from.Query.PageSize && from.Successor(from.Read[from.Query.PageSize - 1]) is { } next)
        {
            Start(next, from.Successor);
        }
    }

    /// <summary>Drops pages nobody asked for in time, and walks nobody continued.</summary>
    private void Sweep()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, entry) in pages)
        {
            if (entry.Expires <= now && pages.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
            {
                Served(entry);
            }
        }

        foreach (var (sql, walk) in walks)
        {
            lock (walk)
            {
                if (walk.Pending == 0 && walk.LastUsed + limits.Keep < now)
                {
                    walks.TryRemove(new KeyValuePair<string, Walk>(sql, walk));
                }
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

    private sealed class Walk
    {
        /// <summary>Pages of this walk started and not yet taken by a request.</summary>
        public int Pending { get; set; }

        /// <summary>The page started last: the walk continues from it.</summary>
        public Entry? Tail { get; set; }

        public DateTime LastUsed { get; set; }
    }

    private sealed class Entry
    {
        public Entry(CompiledQuery query, Func<object?[], CompiledQuery?>? successor, Walk walk, DateTime expires)
        {
            Query = query;
            Successor = successor;
            Walk = walk;
            Expires = expires;
        }

        public CompiledQuery Query { get; }

        public Func<object?[], CompiledQuery?>? Successor { get; }

        public Walk Walk { get; }

        public DateTime Expires { get; }

        public Task<IReadOnlyList<object?[]>?> Rows { get; set; } = Task.FromResult<IReadOnlyList<object?[]>?>(null);

        /// <summary>The rows once read (null before, or when the read failed).</summary>
        public List<object?[]>? Read { get; set; }

        /// <summary>The page after this one has been started (guarded by the walk's lock).</summary>
        public bool Chained { get; set; }
    }
}
