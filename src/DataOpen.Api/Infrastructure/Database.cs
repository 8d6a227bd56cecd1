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
    private readonly List<NpgsqlDataSource> extraReaders = [];

    public NpgsqlDataSource Writer => writer ?? throw new InvalidOperationException("The database is not open yet.");

    public NpgsqlDataSource Reader => reader ?? throw new InvalidOperationException("The database is not open yet.");

    public bool IsOpen => writer is not null;

    /// <summary>True once migrations ran and the catalog is loaded.</summary>
    public bool IsReady { get; internal set; }

    public EmbeddedPostgres? Embedded { get; private set; }

    public string? WriterConnectionString { get; private set; }

    public string? ReaderConnectionString { get; private set; }

    internal void Open(string writerConnectionString, string readerConnectionString, EmbeddedPostgres? embedded)
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

        reader = readerBuilder.Build();
    }

    /// <summary>
    /// Closes the pools and stops (for an ephemeral cluster: removes) the embedded server, once: every call
    /// awaits the same work, so a caller that must see the cluster gone can await it again after the host.
    /// </summary>
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
        foreach (var source in extraReaders)
        {
            source.Clear();
        }
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

        if (Embedded is not null)
        {
            await Embedded.DisposeAsync();
            Embedded = null;
        }
    }
}
