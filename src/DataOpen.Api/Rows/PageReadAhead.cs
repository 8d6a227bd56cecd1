using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows;

/// <summary>
/// Read-ahead for keyset walks. A client following nextLinks (Power Query, R, Python) asks for page N+1
/// only after it has read page N, so without help the database and the service wait on the client and
/// the client waits on them, once per page. After a door serves a page of a published version that has
/// a next page, it hands <see cref="Start(object?[], PageRenderer, Func{object?[], int, CompiledQuery?})"/>
/// the page's last row, how the door writes a row, and a way to compile the query of the pages after a
/// row. Pages are then read in the background, several in one query (<see cref="PagesPerRead"/>), up to
/// <see cref="Limits.Depth"/> pages ahead of what the walk has been served, while the client takes in the
/// current one. Each row is written as the door writes it (<see cref="PageRenderer"/>) straight from the
/// reader, so a page waits as the bytes of its rows, never as boxed values. When the request for a page
/// arrives, compiles to the same SQL and parameters, writes rows the same way (the renderer's key) and has
/// passed its own access check, <see cref="TakeAsync"/> gives it the page. The table of a version never
/// changes, so a page read ahead is exactly what the query would return; anything else (no entry, another
/// format, expired, failed) runs the query as usual.
/// Bounded: at most <see cref="Limits.Rows"/> rows held in all, each page for <see cref="Limits.Keep"/>,
/// at most <see cref="Limits.Reads"/> reads at once; when full, pages are simply not read ahead.
/// </summary>
public sealed partial class PageReadAhead(QueryRunner runner, PageReadAhead.Limits limits, ILogger<PageReadAhead> logger) : IDisposable
{
    /// <summary>Rows one background query reads at most, as whole pages (a page larger than this is read alone); under the engine's 10,000-row limit.</summary>
    public const int RowsPerRead = 8192;

    /// <summary>How much read-ahead one instance may hold and do; <paramref name="Depth"/> pages ahead per walk.</summary>
    public sealed record Limits(int Rows, TimeSpan Keep, int Reads, int Depth = 16);

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
    public void Start(object?[] lastRow, PageRenderer renderer, Func<object?[], int, CompiledQuery?> pagesAfter)
    {
        var walk = new Walk(renderer, pagesAfter);
        if (Enabled && PagesAfter(walk, lastRow, 1) is { } next)
        {
            Begin(walk, next, lastRow);
        }
    }

    /// <summary>Starts reading one page, <paramref name="next"/>, with nothing after it (the end of a <c>$top</c>).</summary>
    public void Start(CompiledQuery next, PageRenderer renderer)
    {
        if (Enabled)
        {
            Begin(new Walk(renderer, null), next, null);
        }
    }

    /// <summary>
    /// The page read ahead for <paramref name="query"/> written by <paramref name="renderer"/>'s key, or null
    /// when there is none (the caller runs the query). The caller disposes the page once it has sent it.
    /// </summary>
    public async Task<RenderedPage?> TakeAsync(CompiledQuery query, PageRenderer renderer, CancellationToken ct)
    {
        if (!Enabled)
        {
            return null;
        }

        if (pages.TryRemove(KeyOf(query, renderer), out var entry))
        {
            var taken = false;
            try
            {
                if (!entry.Ready.Task.IsCompleted)
                {
                    Interlocked.Increment(ref waited);
                }

                if (entry.Expires > DateTime.UtcNow && await entry.Ready.Task.WaitAsync(ct) is { } page)
                {
                    Interlocked.Increment(ref hits);
                    taken = true;
                    return page;
                }
            }
            finally
            {
                if (!taken)
                {
                    Drop(entry);
                }
                else
                {
                    Served(entry);
                }
            }
        }

        Interlocked.Increment(ref misses);
        return null;
    }

    /// <summary>
    /// Reads the pages from <paramref name="first"/> on (those after <paramref name="after"/>, when the walk
    /// can compile further pages) in one query, registering the first page at once and each of the others as
    /// soon as the page before it is whole.
    /// </summary>
    /// <returns>False when the limits (rows held, reads at once) said no for now; true otherwise (started, or nothing to do).</returns>
    private bool Begin(Walk walk, CompiledQuery first, object?[]? after)
    {
        if (stopping.IsCancellationRequested)
        {
            return true;
        }

        Sweep();
        var key = KeyOf(first, walk.Renderer);
        if (pages.ContainsKey(key))
        {
            return true;
        }

        // As many pages as one read takes, and as still fit under the rows held (large pages fill it first).
        var count = walk.PagesAfter is null || after is null ? 1 : PagesPerRead(first.PageSize);
        count = (int)Math.Min(count, (limits.Rows - Interlocked.Read(ref rowsReserved)) / (first.PageSize + 1));
        if (count < 1)
        {
            return false;
        }

        var query = count == 1 ? first : PagesAfter(walk, after!, count);
        if (query is null)
        {
            return true;
        }

        // Each page of the read holds one page of rows and the first row of the next (how it knows there is one).
        var reserved = (long)count * (first.PageSize + 1);
        if (Interlocked.Add(ref rowsReserved, reserved) > limits.Rows || !reads.Wait(0))
        {
            Interlocked.Add(ref rowsReserved, -reserved);
            return false;
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
            return true;
        }

        lock (walk)
        {
            walk.Tail = entry;
        }

        _ = ReadAsync(entry, query, count);
        return true;
    }

    /// <summary>
    /// Runs the query of <paramref name="count"/> pages and writes each row into its page as the walk's renderer
    /// does. Each page is handed out as soon as it is whole, after the entry of the page that follows it is in
    /// place (its key needs this page's last row), so the request for a page never waits for the rest of the
    /// read and never finds the next page missing. When the read ends, the walk's next read may start. A failed
    /// read leaves the page it was writing, and those after it, to their requests.
    /// </summary>
    private async Task ReadAsync(Entry first, CompiledQuery query, int count)
    {
        var walk = first.Walk;
        var pageSize = first.Query.PageSize;
        Entry? current = first; // the entry of the page being written
        PageWriter? writer = null;
        var entries = 1;
        try
        {
            await Task.Yield(); // the page that asked for the read-ahead goes on at once
            Interlocked.Increment(ref queries);
            var index = 0L;
            await foreach (var row in runner.ReadRowsAsync(query, stopping.Token))
            {
                var (page, within) = ((int)(index / pageSize), (int)(index % pageSize));
                index++;
                if (within == 0 && page > 0)
                {
                    // A row follows a whole page: the page is done, and the next one (if this read covers it) starts here.
                    writer!.HasMore = true;
                    var done = writer.Finish();
                    writer = null;
                    var next = page < count ? Register(walk, done.Last!) : null;
                    entries += next is null ? 0 : 1;
                    Hand(current!, done);
                    current = next;
                    if (current is null)
                    {
                        break; // the row after the last page (only there to tell that one follows), or the next page is someone else's
                    }
                }

                writer ??= new PageWriter(pageSize, walk.Renderer.Options);
                writer.Write(walk.Renderer, row, keep: within == pageSize - 1);
            }

            if (current is not null)
            {
                Hand(current, (writer ?? new PageWriter(1, walk.Renderer.Options)).Finish()); // the end of the data: the last page, maybe short or empty
                (current, writer) = (null, null);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Read-ahead of a page failed; the request for it will run the query");
            writer?.Dispose();
            current?.Ready.TrySetResult(null);
        }
        finally
        {
            reads.Release();
        }

        // Pages the query did not reach (the end of the data, a failed read) give their rows back now.
        Interlocked.Add(ref rowsReserved, -(long)(count - entries) * (pageSize + 1));
        Continue(walk);
    }

    /// <summary>Puts the entry of the page after <paramref name="lastRow"/> in place, as the walk's furthest page; null when it cannot.</summary>
    private Entry? Register(Walk walk, object?[] lastRow)
    {
        if (PagesAfter(walk, lastRow, 1) is not { } query)
        {
            return null;
        }

        var entry = new Entry(query, walk, DateTime.UtcNow + limits.Keep);
        lock (walk)
        {
            walk.Pending++;
        }

        if (!pages.TryAdd(KeyOf(query, walk.Renderer), entry))
        {
            // Another walk over the same pages got there first: this read stops, that one goes on.
            lock (walk)
            {
                walk.Pending--;
            }

            return null;
        }

        lock (walk)
        {
            walk.Tail = entry;
        }

        return entry;
    }

    /// <summary>Hands a page to its entry (and so to its request, waiting or to come).</summary>
    private static void Hand(Entry entry, RenderedPage page)
    {
        entry.Read = page;
        entry.Ready.TrySetResult(page);
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

    /// <summary>A page nobody will send: its buffers go back to the pool once its read is over.</summary>
    private void Drop(Entry entry)
    {
        _ = entry.Ready.Task.ContinueWith(t => t.Result?.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Served(entry);
    }

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

        if (from.Read.HasMore && from.Read.Last is { } last && PagesAfter(walk, last, 1) is { } next && !Begin(walk, next, last))
        {
            // Full for now (large pages fill the rows held before the depth is reached): the next page served tries again.
            lock (walk)
            {
                from.Chained = false;
            }
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
                Drop(entry);
            }
        }
    }

    /// <summary>A page's key: its query's and the renderer's (two pages with the same key hold the same bytes).</summary>
    private static string KeyOf(CompiledQuery query, PageRenderer renderer) => KeyOf(query) + "\u001e" + renderer.Key;

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
}
