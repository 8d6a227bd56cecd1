using Npgsql;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// The two data sources of the service: <see cref="Writer"/> (owner role: migrations, ingest, admin)
/// and <see cref="Reader"/> (reader role: SELECT on catalog and data only, statement timeout) used by
/// every public read. Opened by <see cref="DatabaseStartup"/> before the server takes requests.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    public const string ReaderRole = "dataopen_reader";
    public const string OwnerRole = "dataopen_owner";
    public const string DatabaseName = "dataopen";

    private NpgsqlDataSource? writer;
    private NpgsqlDataSource? reader;
    private readonly Lock disposeGate = new();
    private Task? disposing;
    private NpgsqlDataSource? primaryReader;

    public NpgsqlDataSource Writer => writer ?? throw new InvalidOperationException("The database is not open yet.");

    public NpgsqlDataSource Reader => reader ?? throw new InvalidOperationException("The database is not open yet.");

    public bool IsOpen => writer is not null;

    /// <summary>True once migrations ran and the catalog is loaded.</summary>
    public bool IsReady { get; internal set; }

    public EmbeddedPostgres? Embedded { get; private set; }

    public string? WriterConnectionString { get; private set; }

    public string? ReaderConnectionString { get; private set; }

    /// <summary>The reader hosts and the position they must have replayed, when the reader connection lists several hosts.</summary>
    public ReplicaSet? Replicas { get; private set; }

    internal void Open(string writerConnectionString, string readerConnectionString, EmbeddedPostgres? embedded, ReplicaOptions? replicaOptions = null)
    {
        Embedded = embedded;
        WriterConnectionString = writerConnectionString;
        ReaderConnectionString = readerConnectionString;
        writer = new NpgsqlDataSourceBuilder(writerConnectionString) { Name = "dataopen-writer" }.Build();
        // Public reads repeat a few query shapes (a keyset page differs from the next only in its parameters):
        // auto-preparation skips parsing and planning them again, unless the connection string says otherwise.
        var readerBuilder = new NpgsqlDataSourceBuilder(readerConnectionString) { Name = "dataopen-reader" };
        var given = readerConnectionString.Replace(" ", "", StringComparison.Ordinal);
        if (!given.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            readerBuilder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        // Pages and downloads read tens of kilobytes to megabytes: a 64 KB buffer (Npgsql's default is 8 KB)
        // means an eighth of the socket reads, each of which is an await and often a thread hand-off.
        if (!given.Contains("ReadBufferSize", StringComparison.OrdinalIgnoreCase))
        {
            readerBuilder.ConnectionStringBuilder.ReadBufferSize = 64 * 1024;
        }

        // A reader connection never changes its session (a timeout or time zone is SET LOCAL, inside a transaction
        // Npgsql ends on close; no LISTEN, temporary tables, cursors or advisory locks), so nothing needs resetting when
        // it goes back to the pool. Npgsql's reset (SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *;
        // pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP) otherwise runs before the next command on it: for
        // a lookup by key it cost PostgreSQL more than the lookup.
        if (!given.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            readerBuilder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        if (readerBuilder.ConnectionStringBuilder.Host?.Contains(',', StringComparison.Ordinal) == true)
        {
            var multi = readerBuilder.BuildMultiHost();
            reader = multi;
            // Reads a lagging standby cannot serve go to the primary, with the reader's role and settings.
            var primary = new NpgsqlConnectionStringBuilder(writerConnectionString);
            var primaryBuilder = new NpgsqlDataSourceBuilder(readerBuilder.ConnectionString) { Name = "dataopen-reader-primary" };
            primaryBuilder.ConnectionStringBuilder.Host = primary.Host;
            primaryBuilder.ConnectionStringBuilder.Port = primary.Port;
            primaryBuilder.ConnectionStringBuilder.TargetSessionAttributes = null;
            primaryBuilder.ConnectionStringBuilder.LoadBalanceHosts = false;
            primaryReader = primaryBuilder.Build();
            Replicas = new ReplicaSet(multi, readerBuilder.ConnectionString, replicaOptions ?? new ReplicaOptions());
        }
        else
        {
            reader = readerBuilder.Build();
        }
    }

    /// <summary>
    /// A connection for a public read. Without replicas: one from <see cref="Reader"/>. With replicas: from the host
    /// Npgsql picks (a standby first), provided that standby has replayed the catalog position this instance serves
    /// (waiting a bounded time for it); otherwise, or when <paramref name="primary"/>, from the primary.
    /// </summary>
    public async ValueTask<NpgsqlConnection> OpenReadAsync(CancellationToken ct, bool primary = false)
    {
        if (Replicas is not { } replicas)
        {
            return await Reader.OpenConnectionAsync(ct);
        }

        if (!primary)
        {
            var conn = await Reader.OpenConnectionAsync(ct);
            try
            {
                if (!ReplicaSet.IsStandby(conn) || await replicas.CaughtUpAsync(conn, ct))
                {
                    return conn;
                }
            }
            catch (Exception ex) when (DatabaseFaults.IsUnavailable(ex))
            {
                // The standby went away under this very check: the primary answers instead.
            }

            await conn.DisposeAsync();
        }

        return await primaryReader!.OpenConnectionAsync(ct);
    }

    /// <summary>
    /// True when a read that failed with <paramref name="ex"/> before it handed out anything may run again on
    /// the primary: there are replicas and the failure says a server went away (most likely the standby it ran on).
    /// </summary>
    public bool CanRetryOnPrimary(Exception ex) => Replicas is not null && DatabaseFaults.IsUnavailable(ex);

    /// <summary>Runs a read command (a scalar, a small result read whole) with <see cref="OpenReadAsync"/>, once more on the primary if a standby failed under it.</summary>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        try
        {
            await using var conn = await OpenReadAsync(ct);
            return await read(conn, ct);
        }
        catch (Exception ex) when (CanRetryOnPrimary(ex))
        {
            await using var conn = await OpenReadAsync(ct, primary: true);
            return await read(conn, ct);
        }
    }

    /// <summary>True while a fault said the database was unreachable and the watch has not seen it back yet.</summary>
    public bool IsUnreachable => Volatile.Read(ref watching) == 1;

    /// <summary>
    /// Says whether <paramref name="ex"/> means the database is unreachable (<see cref="DatabaseFaults"/>); if so,
    /// drops the pools' idle connections (they died with the server) and watches for the server's return,
    /// dropping them again then, so no request after the restart meets a dead pooled connection.
    /// </summary>
    public bool ReportFault(Exception ex)
    {
        if (!DatabaseFaults.IsUnavailable(ex))
        {
            return false;
        }

        ClearPools();
        if (Interlocked.CompareExchange(ref watching, 1, 0) == 0 && WriterConnectionString is { } cs)
        {
            _ = Task.Run(() => WatchAsync(cs));
        }

        return true;
    }

    private int watching;

    private void ClearPools()
    {
        writer?.Clear();
        reader?.Clear();
        primaryReader?.Clear();
    }

    /// <summary>Every 100 ms, a fresh connection (outside the pools) to the writer's server, until one opens.</summary>
    private async Task WatchAsync(string writerConnectionString)
    {
        var probe = new NpgsqlConnectionStringBuilder(writerConnectionString) { Pooling = false, Timeout = 2, Multiplexing = false }.ConnectionString;
        try
        {
            while (disposing is null)
            {
                try
                {
                    await using var conn = new NpgsqlConnection(probe);
                    await conn.OpenAsync();
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteScalarAsync();
                    ClearPools();
                    return;
                }
                catch (Exception ex) when (DatabaseFaults.IsUnavailable(ex) || ex is NpgsqlException)
                {
                    await Task.Delay(100);
                }
            }
        }
        finally
        {
            Volatile.Write(ref watching, 0);
        }
    }

    /// <summary>
    /// Closes the pools and stops (for an ephemeral cluster: removes) the embedded server, once: every call
    /// awaits the same work, so a caller that must see the cluster gone can await it again after the host.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (disposeGate)
        {
            disposing ??= DisposeCoreAsync();
        }

        return new ValueTask(disposing);
    }

    private async Task DisposeCoreAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync();
        }

        if (reader is not null)
        {
            await reader.DisposeAsync();
        }

        if (primaryReader is not null)
        {
            await primaryReader.DisposeAsync();
        }

        if (Replicas is not null)
        {
            await Replicas.DisposeAsync();
        }

        if (Embedded is not null)
        {
            await Embedded.DisposeAsync();
            Embedded = null;
        }
    }
}
