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
