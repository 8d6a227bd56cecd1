using System.Data;
using System.Runtime.CompilerServices;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Npgsql;

namespace DataOpen.Api.Rows;

/// <summary>One page of rows: values in <see cref="CompiledQuery.Columns"/> order (hidden columns included).</summary>
public sealed record RowPage(IReadOnlyList<object?[]> Rows, bool HasMore, string? NextCursor);

/// <summary>A query ran longer than the statement timeout of public reads.</summary>
public sealed class QueryTimeoutException(Exception inner)
    : Exception("The query took longer than the time allowed for one request; narrow the filter or page with a cursor.", inner);

/// <summary>
/// Runs compiled queries for every door on the reader role (SELECT on catalog and data only, with a
/// statement timeout). Pages read at most FetchLimit rows; streams read row by row with sequential
/// access, so memory does not grow with the result.
/// </summary>
public sealed class QueryRunner(Database database, Microsoft.Extensions.Options.IOptions<DataOpenOptions>? options = null, QueryShapeRecorder? shapes = null, Catalog.CatalogStore? catalog = null)
{
    /// <summary>
    /// Npgsql's own client-side timeout (30 s by default) must not fire before the server's statement
    /// timeout, or a slow query ends as a driver error instead of a clean cancellation.
    /// </summary>
    private int ClientTimeout(int? statementTimeoutSeconds) =>
        (statementTimeoutSeconds ?? options?.Value.StatementTimeoutSeconds ?? 30) + 10;

    public async Task<RowPage> PageAsync(CompiledQuery query, CancellationToken ct)
    {
        var rows = await OnceMoreOnPrimaryAsync(async primary =>
        {
            var read = new List<object?[]>(Math.Min(query.FetchLimit, 1024));
            await foreach (var row in ReadRowsOnAsync(query, primary, ct))
            {
                read.Add(row.ToArray());
            }

            return read;
        });

        var hasMore = rows.Count > query.PageSize;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var next = hasMore && query.SupportsCursor && rows.Count > 0 ? query.CreateCursor(rows[^1]) : null;
        return new RowPage(rows, hasMore, next);
    }

    /// <summary>
    /// One page written as it is read: each row goes from the reader straight into pooled JSON buffers by
    /// <paramref name="renderer"/> (no boxed values in between), with a copy of the last row of a full page for
    /// the next page's cursor. The query reads one row more than the page to tell whether another follows.
    /// The caller disposes the page once sent.
    /// </summary>
    public Task<RenderedPage> RenderPageAsync(CompiledQuery query, PageRenderer renderer, CancellationToken ct) =>
        OnceMoreOnPrimaryAsync(primary => RenderPageOnAsync(query, renderer, primary, ct));

    /// <summary>
    /// Runs a read that hands nothing out before it is whole (a page), once more on the primary when a standby went
    /// away under it: a second read, not an error.
    /// </summary>
    private async Task<T> OnceMoreOnPrimaryAsync<T>(Func<bool, Task<T>> read)
    {
        try
        {
            return await read(false);
        }
        catch (Exception ex) when (database.CanRetryOnPrimary(ex))
        {
            return await read(true);
        }
    }

    private async Task<RenderedPage> RenderPageOnAsync(CompiledQuery query, PageRenderer renderer, bool primary, CancellationToken ct)
    {
        var writer = new PageWriter(query.PageSize, renderer.Options);
        try
        {
            var written = 0;
            await foreach (var row in ReadRowsOnAsync(query, primary, ct))
            {
                if (written == query.PageSize)
                {
                    writer.HasMore = true;
                    break;
                }

                writer.Write(renderer, row, keep: ++written == query.PageSize);
            }

            return writer.Finish();
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public async Task<long> CountAsync(CompiledQuery countQuery, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await database.ReadAsync(async (conn, token) =>
            {
                await using var cmd = new NpgsqlCommand(countQuery.Sql, conn) { CommandTimeout = ClientTimeout(null) };
                cmd.Parameters.AddRange(countQuery.ToNpgsqlParameters().ToArray());
                return Convert.ToInt64(await cmd.ExecuteScalarAsync(token), System.Globalization.CultureInfo.InvariantCulture);
            }, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            throw new QueryTimeoutException(ex);
        }
        finally
        {
            Record(countQuery, started);
        }
    }

    /// <summary>
    /// Counts and times the query by its shape (a timed-out one too: it is the slowest of all), and names its dataset
    /// and version on the request's trace span.
    /// </summary>
    private void Record(CompiledQuery query, long started)
    {
        shapes?.Record(query, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (RequestTags.Traced && query.Shape is { Schema: "data" } shape && catalog?.Current.FindTable(shape.Table) is { } read)
        {
            RequestTags.Read(read.Dataset.Identifier, read.Version.Version);
        }
    }

    /// <summary>Every row of the query (its LIMIT applies), one array per row; the array is new for each row.</summary>
    public IAsyncEnumerable<object?[]> StreamAsync(CompiledQuery query, CancellationToken ct) => StreamAsync(query, null, ct);

    /// <summary>
    /// Like <see cref="StreamAsync(CompiledQuery, CancellationToken)"/> with its own statement timeout
    /// (downloads: the statement lasts as long as the client takes to read it).
    /// </summary>
    public async IAsyncEnumerable<object?[]> StreamAsync(CompiledQuery query, int? statementTimeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        if (statementTimeoutSeconds is null)
        {
            await foreach (var current in ReadRowsAsync(query, ct))
            {
                yield return current.ToArray();
            }

            yield break;
        }

        // A download is timed to its first row: the rest is paced by the client reading it.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Lease first;
        try
        {
            // Downloads read column by column, so one huge value never has to fit in the read buffer.
            first = await StartAsync(query, statementTimeoutSeconds, CommandBehavior.SequentialAccess, false, ct);
        }
        finally
        {
            Record(query, started);
        }

        await using var lease = first;
        var reader = lease.Reader;
        var row = new ResultRow(reader, query);
        for (var more = lease.HasRow; more; more = await ReadAsync(reader, ct))
        {
            var values = new object?[row.Width];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = await reader.IsDBNullAsync(i, ct) ? null : row.GetValue(i);
            }

            yield return values;
        }
    }

    /// <summary>
    /// Every row of the query (its LIMIT applies) read in place: the same <see cref="ResultRow"/> moves from
    /// row to row, so a writer can turn each value into bytes without boxing it. Npgsql buffers each row
    /// whole (pages are bounded by their LIMIT), so the columns are read synchronously: an await per column
    /// costs more than the rest of the row on long walks.
    /// </summary>
    public IAsyncEnumerable<ResultRow> ReadRowsAsync(CompiledQuery query, CancellationToken ct) => ReadRowsOnAsync(query, false, ct);

    private async IAsyncEnumerable<ResultRow> ReadRowsOnAsync(CompiledQuery query, bool primary, [EnumeratorCancellation] CancellationToken ct)
    {
        // Timed from the first byte sent to the last row read (pages are bounded by their LIMIT).
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await using var lease = await StartAsync(query, null, CommandBehavior.Default, primary, ct);
            var reader = lease.Reader;
            var row = new ResultRow(reader, query);
            for (var more = lease.HasRow; more; more = await ReadAsync(reader, ct))
            {
                yield return row;
            }
        }
        finally
        {
            Record(query, started);
        }
    }

    /// <summary>
    /// An open connection (in a transaction when the read has its own timeout), its command and its reader,
    /// positioned on the first row (<see cref="HasRow"/>).
    /// </summary>
    private sealed record Lease(NpgsqlConnection Conn, NpgsqlTransaction? Tx, NpgsqlCommand Cmd, NpgsqlDataReader Reader, bool HasRow) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Reader.DisposeAsync();
            await Cmd.DisposeAsync();
            if (Tx is not null)
            {
                await Tx.DisposeAsync();
            }

            await Conn.DisposeAsync();
        }
    }

    /// <summary>
    /// Opens a read connection and runs the query up to its first row. With replicas, a standby that fails
    /// here (stopped, restarting) is replaced by the primary: no row has been handed out yet.
    /// </summary>
    private async Task<Lease> StartAsync(CompiledQuery query, int? statementTimeoutSeconds, CommandBehavior behavior, bool primary, CancellationToken ct)
    {
        for (var onPrimary = primary; ; onPrimary = true)
        {
            NpgsqlConnection? conn = null;
            NpgsqlTransaction? tx = null;
            NpgsqlCommand? cmd = null;
            try
            {
                conn = await database.OpenReadAsync(ct, onPrimary);
                tx = statementTimeoutSeconds is null ? null : await BeginWithTimeoutAsync(conn, statementTimeoutSeconds, ct);
                cmd = new NpgsqlCommand(query.Sql, conn, tx) { CommandTimeout = ClientTimeout(statementTimeoutSeconds) };
                cmd.Parameters.AddRange(query.ToNpgsqlParameters().ToArray());
                var reader = await ExecuteAsync(cmd, behavior, ct);
                try
                {
                    // The first row is read here too: a standby can fail after the command began but before any
                    // row arrived (a fast shutdown ends running queries with 57P01), and nothing was handed out.
                    return new Lease(conn, tx, cmd, reader, await ReadAsync(reader, ct));
                }
                catch
                {
                    await reader.DisposeAsync();
                    throw;
                }
            }
            catch (Exception ex)
            {
                await DisposeAllAsync(cmd, tx, conn);
                if (onPrimary || !database.CanRetryOnPrimary(ex))
                {
                    throw;
                }
            }
        }
    }

    private static async Task DisposeAllAsync(NpgsqlCommand? cmd, NpgsqlTransaction? tx, NpgsqlConnection? conn)
    {
        if (cmd is not null)
        {
            await cmd.DisposeAsync();
        }

        if (tx is not null)
        {
            await tx.DisposeAsync();
        }

        if (conn is not null)
        {
            await conn.DisposeAsync();
        }
    }

    private static async Task<NpgsqlDataReader> ExecuteAsync(NpgsqlCommand cmd, CommandBehavior behavior, CancellationToken ct)
    {
        try
        {
            return await cmd.ExecuteReaderAsync(behavior, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            throw new QueryTimeoutException(ex);
        }
    }

    private static async Task<bool> ReadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            throw new QueryTimeoutException(ex);
        }
    }

    /// <summary>
    /// Runs <c>COPY (<paramref name="selectSql"/>) TO STDOUT WITH (FORMAT csv)</c> and hands the text to
    /// <paramref name="consume"/>. The SELECT must hold no values from a request: COPY takes no parameters.
    /// </summary>
    public async Task CopyCsvAsync(string selectSql, int? statementTimeoutSeconds, Func<TextReader, CancellationToken, Task> consume, CancellationToken ct)
    {
        for (var onPrimary = false; ; onPrimary = true)
        {
            NpgsqlConnection? conn = null;
            NpgsqlTransaction? tx = null;
            TextReader? reader;
            try
            {
                conn = await database.OpenReadAsync(ct, onPrimary);
                tx = await BeginWithTimeoutAsync(conn, statementTimeoutSeconds, ct);
                await using (var style = new NpgsqlCommand("SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL TimeZone = 'Asia/Shanghai'", conn, tx))
                {
                    await style.ExecuteNonQueryAsync(ct);
                }

                reader = await conn.BeginTextExportAsync($"COPY ({selectSql}) TO STDOUT WITH (FORMAT csv)", ct);
            }
            catch (Exception ex)
            {
                // Before the first byte: a standby that failed is replaced by the primary (see StartAsync).
                await DisposeAllAsync(null, tx, conn);
                if (ex is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } && !ct.IsCancellationRequested)
                {
                    throw new QueryTimeoutException(ex);
                }

                if (onPrimary || !database.CanRetryOnPrimary(ex))
                {
                    throw;
                }

                continue;
            }

            var guarded = new HandedOutReader(reader);
            try
            {
                await consume(guarded, ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
            {
                throw new QueryTimeoutException(ex);
            }
            catch (Exception ex) when (!onPrimary && !guarded.HandedOut && database.CanRetryOnPrimary(ex))
            {
                // The standby went away before the first character of the copy reached the consumer (it fails
                // on its first read, after COPY began): nothing was written, so the primary sends the file.
            }
            finally
            {
                guarded.Dispose();
                await DisposeAllAsync(null, tx, conn);
            }
        }
    }

    /// <summary>SET LOCAL keeps the timeout to this transaction, so the pooled connection keeps the role's default.</summary>
    private static async Task<NpgsqlTransaction> BeginWithTimeoutAsync(NpgsqlConnection conn, int? seconds, CancellationToken ct)
    {
        var tx = await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        if (seconds is null)
        {
            return tx;
        }

        await using var set = new NpgsqlCommand($"SET LOCAL statement_timeout = {checked(seconds.Value * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)}", conn, tx);
        await set.ExecuteNonQueryAsync(ct);
        return tx;
    }
}
