using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using DataOpen.Core.Query;

namespace DataOpen.Api.Datasets;

/// <summary>
/// Read-ahead for keyset walks. A client following nextLinks (Power Query, R, Python) asks for page N+1
/// only after it has read page N, so without help the database and the service wait on the client and
/// the client waits on them, once per page. After a door serves a page of a published version that has
/// a next page, it hands <see cref="Start(object?[], Func{object?[], int, CompiledQuery?})"/> the page's
/// last row and a way to compile the query of the pages after a row. Pages are then read in the
/// background, several in one query (<see cref="PagesPerRead"/>), up to <see cref="Limits.Depth"/> pages
/// ahead of what the walk has been served, while the client takes in the current one. When the request
/// for a page arrives, compiles to the same SQL and parameters and has passed its own access check,
/// <see cref="TakeAsync"/> gives it the rows already read. The table of a version never changes, so a
/// page read ahead is exactly what the query would return; anything else (no entry, expired, failed)
/// runs the query as usual.
/// Bounded: at most <see cref="Limits.Rows"/> rows held in all, each page for <see cref="Limits.Keep"/>,
/// at most <see cref="Limits.Reads"/> reads at once; when full, pages are simply not read ahead.
/// </summary>
public sealed class PageReadAhead(QueryRunner runner, PageReadAhead.Limits limits, ILogger<PageReadAhead> logger) : IDisposable
{
    /// <summary>Rows one background query reads at most, as whole pages (a page larger than this is read alone).</summary>
    public const int RowsPerRead = 4096;

    /// <summary>How much read-ahead one instance may hold and do; <paramref name="Depth"/> pages ahead per walk.</summary>
    public sealed record Limits(int Rows, TimeSpan Keep, int Reads, int Depth = 8);

    private readonly ConcurrentDictionary<string, Entry> pages = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim reads = new(Math.Max(1, limits.Reads));
    private readonly CancellationTokenSource stopping = new();
    private long rowsReserved;
    private long hits;
    private long misses;
    private long waited;
    private long queries;

    /// <summary>Pages served from rows read ahead.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Hits whose read was still running when the request arrived (the request waited for the rest of it).</summary>
    public long Waited => Interlocked.Read(ref waited);

    /// <summary>Pages asked for that had not been read ahead (or expired, or failed): the query ran.</summary>
    public long Misses => Interlocked.Read(ref misses);

    /// <summary>Queries run in the background (each reads up to <see cref="PagesPerRead"/> pages).</summary>
    public long Queries => Interlocked.Read(ref queries);

    public bool Enabled => limits.Rows > 0;

    /// <summary>Pages one background query reads: as many as fit in <see cref="RowsPerRead"/>, at most half the depth, at least one.</summary>
    public int PagesPerRead(int pageSize) => Math.Clamp(RowsPerRead / Math.Max(1, pageSize), 1, Math.Max(1, limits.Depth / 2));

    /// <summary>
    /// Starts reading the pages after <paramref name="lastRow"/> in the background, unless the next one is
    /// already read or the limits say no. <paramref name="pagesAfter"/> compiles the query of the given number
    /// of pages after a row (its limit that many pages), or null when there is none.
    /// </summary>
    public void Start(object?[] lastRow, Func<object?[], int, CompiledQuery?> pagesAfter)
    {
        var walk = new Walk(pagesAfter);
        if (Enabled && PagesAfter(walk, lastRow, 1) is { } next)
        {
            Begin(walk, next, lastRow);
        }
    }

    /// <summary>Starts reading one page, <paramref name="next"/>, with nothing after it (the end of a <c>$top</c>).</summary>
    public void Start(CompiledQuery next)
    {
        if (Enabled)
        {
            Begin(new Walk(null), next, null);
        }
    }

    /// <summary>The rows read ahead for <paramref name="query"/>, or null when there are none (the caller runs the query).</summary>
    public async Task<IReadOnlyList<object?[]>?> TakeAsync(CompiledQuery query, CancellationToken ct)
    {
        if (!Enabled)
        {
            return null;
        }

        if (pages.TryRemove(KeyOf(query), out var entry))
        {
            try
            {
                if (!entry.Ready.Task.IsCompleted)
                {
                    Interlocked.Increment(ref waited);
                }

                if (entry.Expires > DateTime.UtcNow && await entry.Ready.Task.WaitAsync(ct) is { } rows)
                {
                    Interlocked.Increment(ref hits);
                    return rows;
                }
            }
            finally
            {
                Served(entry);
            }
        }

        Interlocked.Increment(ref misses);
        return null;
    }

    /// <summary>
    /// Reads the pages from <paramref name="first"/> on (those after <paramref name="after"/>, when the walk
    /// can compile further pages) in one query, registering the first page at once and the others when read.
    /// </summary>
    private void Begin(Walk walk, CompiledQuery first, object?[]? after)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        Sweep();
        var key = KeyOf(first);
        if (pages.ContainsKey(key))
        {
            return;
        }

        var count = walk.PagesAfter is null || after is null ? 1 : PagesPerRead(first.PageSize);
        var query = count == 1 ? first : PagesAfter(walk, after!, count);
        if (query is null)
        {
            return;
        }

        // Each page of the read holds one page of rows and the first row of the next (how it knows there is one).
        var reserved = (long)count * (first.PageSize + 1);
        if (Interlocked.Add(ref rowsReserved, reserved) > limits.Rows || !reads.Wait(0))
        {
            Interlocked.Add(ref rowsReserved, -reserved);
            return;
        }

        var entry = new Entry(first, walk, DateTime.UtcNow + limits.Keep);
        lock (walk)
        {
            walk.Pending++;
        }

        if (!pages.TryAdd(key, entry))
        {
            Interlocked.Add(ref rowsReserved, -reserved);
            lock (walk)
            {
                walk.Pending--;
            }

            reads.Release();
            return;
        }

        lock (walk)
        {
            walk.Tail = entry;
        }

        _ = ReadAsync(entry, query, count);
    }

    /// <summary>
    /// Runs the query of <paramref name="count"/> pages, cuts the rows into pages, hands them out and starts
    /// the walk's next read. A failed read leaves the first page's request to run the query.
    /// </summary>
    private async Task ReadAsync(Entry first, CompiledQuery query, int count)
    {
        var walk = first.Walk;
        var pageSize = first.Query.PageSize;
        List<object?[]>? rows = null;
        try
        {
            await Task.Yield(); // the page that asked for the read-ahead goes on at once
            Interlocked.Increment(ref queries);
            rows = new List<object?[]>(query.FetchLimit);
            await foreach (var row in runner.StreamAsync(query, stopping.Token))
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

        var later = new List<Entry>();
        if (rows is not null)
        {
            first.Read = Slice(rows, 0, pageSize);
            for (var i = 1; i < count && rows.Count > i * pageSize; i++)
            {
                if (PagesAfter(walk, rows[(i * pageSize) - 1], 1) is not { } pageQuery)
                {
                    break;
                }

                later.Add(new Entry(pageQuery, walk, DateTime.UtcNow + limits.Keep) { Read = Slice(rows, i * pageSize, pageSize) });
            }
        }

        // Pages the query did not reach (the end of the data, or a failed read) give their rows back now.
        Interlocked.Add(ref rowsReserved, -(long)(count - 1 - later.Count) * (pageSize + 1));
        lock (walk)
        {
            walk.Pending += later.Count;
            if (later.Count > 0)
            {
                walk.Tail = later[^1];
            }
        }

        // The later pages are in place before the first page's request goes on, or that request would find the
        // next page missing and start reading it again.
        foreach (var entry in later)
        {
            entry.Ready.TrySetResult(entry.Read);
            if (!pages.TryAdd(KeyOf(entry.Query), entry))
            {
                Served(entry);
            }
        }

        first.Ready.TrySetResult(first.Read);
        Continue(walk);
    }

    /// <summary>The walk's query of <paramref name="count"/> pages after <paramref name="row"/>; null when there is none or it cannot be compiled.</summary>
    private CompiledQuery? PagesAfter(Walk walk, object?[] row, int count)
    {
        try
        {
            return walk.PagesAfter?.Invoke(row, count);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "The pages after a row could not be compiled; the walk is not read further ahead");
            return null;
        }
    }

    private static List<object?[]> Slice(List<object?[]> rows, int start, int pageSize) =>
        rows.GetRange(start, Math.Min(pageSize + 1, rows.Count - start));

    /// <summary>A page of the walk was taken by its request (or dropped): the walk may read further.</summary>
    private void Served(Entry entry)
    {
        Interlocked.Add(ref rowsReserved, -(entry.Query.PageSize + 1));
        lock (entry.Walk)
        {
            entry.Walk.Pending--;
        }

        Continue(entry.Walk);
    }

    /// <summary>
    /// Reads the pages after the walk's furthest page read, once a whole read's worth of pages fits under
    /// <see cref="Limits.Depth"/> beside those waiting for their requests.
    /// </summary>
    private void Continue(Walk walk)
    {
        Entry? from;
        lock (walk)
        {
            from = walk.Tail;
            if (from?.Read is null || walk.PagesAfter is null || from.Chained
                || walk.Pending + PagesPerRead(from.Query.PageSize) > Math.Max(limits.Depth, 1))
            {
                return;
            }

            from.Chained = true;
        }

        var pageSize = from.Query.PageSize;
        if (from.Read.Count > pageSize && PagesAfter(walk, from.Read[pageSize - 1], 1) is { } next)
        {
            Begin(walk, next, from.Read[pageSize - 1]);
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
                Served(entry);
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

    /// <summary>One client's walk: how to compile its next pages, and how far it has been read.</summary>
    private sealed class Walk(Func<object?[], int, CompiledQuery?>? pagesAfter)
    {
        public Func<object?[], int, CompiledQuery?>? PagesAfter { get; } = pagesAfter;

        /// <summary>Pages of this walk started and not yet taken by a request (guarded by the walk's lock).</summary>
        public int Pending { get; set; }

        /// <summary>The furthest page started: the walk continues from it once read.</summary>
        public Entry? Tail { get; set; }
    }

    private sealed class Entry(CompiledQuery query, Walk walk, DateTime expires)
    {
        public CompiledQuery Query { get; } = query;

        public Walk Walk { get; } = walk;

        public DateTime Expires { get; } = expires;

        /// <summary>Completes with the rows once read (null when the read failed).</summary>
        public TaskCompletionSource<IReadOnlyList<object?[]>?> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The rows once read: the page's rows and the first row of the next page, when there is one.</summary>
        public List<object?[]>? Read { get; set; }

        /// <summary>The read after this page has been started (guarded by the walk's lock).</summary>
        public bool Chained { get; set; }
    }
}
