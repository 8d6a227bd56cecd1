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
        reader = new NpgsqlDataSourceBuilder(readerConnectionString) { Name = "dataopen-reader" }.Build();
    }

    public async ValueTask DisposeAsync()
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
