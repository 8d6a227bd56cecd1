using System.Diagnostics;
using System.Globalization;
using DataOpen.Api.Infrastructure;

namespace DataOpen.Testing;

/// <summary>
/// A PostgreSQL server of its own in a temporary folder: a primary made with <c>initdb</c>, or a streaming standby
/// made from one with <c>pg_basebackup -R</c>. Runs the binaries as the <c>postgres</c> OS user when the tests run
/// as root (initdb refuses root). <see cref="DisposeAsync"/> stops it and removes the folder.
/// </summary>
public sealed class PostgresNode : IAsyncDisposable
{
    private static readonly bool AsPostgres = Environment.UserName == "root";
    private readonly string bin;

    private PostgresNode(string bin, string dir, int port)
    {
        this.bin = bin;
        Directory = dir;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string SuperUser(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=15";

    public static async Task<PostgresNode> StartPrimaryAsync()
    {
        var node = new PostgresNode(Bin(), NewFolder("primary"), ApiProcess.FreePort());
        return await node.StartedOrRemovedAsync(async () =>
        {
            await node.RunAsync("initdb", "-D", node.Directory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
            await node.StartAsync();
        });
    }

    /// <summary>Creates the service's roles and database on this primary (as the embedded cluster does on its first start).</summary>
    public Task BootstrapAsync() => DatabaseStartup.BootstrapAsync(SuperUser, CancellationToken.None);

    /// <summary>The postmaster's process id (first line of postmaster.pid), for CPU accounting; 0 when it is not running.</summary>
    public int ProcessId => File.Exists(Path.Combine(Directory, "postmaster.pid"))
        && int.TryParse(File.ReadLines(Path.Combine(Directory, "postmaster.pid")).FirstOrDefault(), CultureInfo.InvariantCulture, out var pid) ? pid : 0;

    /// <summary>A hot standby streaming from <paramref name="primary"/>: <c>pg_basebackup -R</c> writes standby.signal and primary_conninfo.</summary>
    public static async Task<PostgresNode> StartStandbyAsync(PostgresNode primary)
    {
        var node = new PostgresNode(primary.bin, NewFolder("standby"), ApiProcess.FreePort());
        return await node.StartedOrRemovedAsync(async () =>
        {
            await node.RunAsync("pg_basebackup", "-D", node.Directory, "-h", "127.0.0.1", "-p", primary.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-R", "-X", "stream", "--no-sync");
            await node.StartAsync();
        });
    }

    /// <summary>Runs <paramref name="start"/>; if it fails, stops whatever started and removes the folder before rethrowing.</summary>
    private async Task<PostgresNode> StartedOrRemovedAsync(Func<Task> start)
    {
        try
        {
            await start();
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public Task StartAsync() => RunAsync("pg_ctl", "-D", Directory, "-w", "-t", "30", "-l", Path.Combine(Directory, "server.log"), "-o",
        $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={Directory} -c max_connections=200 -c fsync=off -c full_page_writes=off -c wal_level=replica -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=-1",
        "start");

    /// <summary><c>pg_ctl stop -m fast</c>: sessions are told to end (like an operator's restart of a standby).</summary>
    public Task StopAsync() => RunAsync("pg_ctl", "-D", Directory, "-w", "-m", "fast", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("pg_ctl", "-D", Directory, "-w", "-m", "immediate", "stop");
        }
        catch (EmbeddedPostgresException)
        {
            // Already stopped.
        }

        for (var attempt = 0; attempt < 20 && System.IO.Directory.Exists(Directory); attempt++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, true);
            }
            catch (IOException)
            {
                await Task.Delay(250);
            }
        }
    }

    private static string Bin() => EmbeddedPostgres.FindBinDir(null) is { } dir && File.Exists(Path.Combine(dir, "pg_basebackup"))
        ? dir
        : throw new InvalidOperationException("PostgreSQL server binaries with pg_basebackup were not found (apt-get install postgresql).");

    private static string NewFolder(string role)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"dataopen-{role}-{Guid.NewGuid().ToString("N")[..10]}");
        System.IO.Directory.CreateDirectory(dir);
        // A server refuses a data directory others can read (pg_basebackup keeps the folder's mode).
        using (var chmod = Process.Start("chmod", ["700", dir]))
        {
            chmod.WaitForExit();
        }

        if (AsPostgres)
        {
            using var chown = Process.Start("chown", ["postgres:postgres", dir]);
            chown.WaitForExit();
        }

        return dir;
    }

    /// <summary>Runs one of the server's programs, as the postgres OS user when the tests run as root; EmbeddedPostgresException when it fails.</summary>
    private Task RunAsync(string tool, params string[] args) =>
        EmbeddedPostgres.RunAsync(Path.Combine(bin, tool), args, AsPostgres ? "postgres" : null, CancellationToken.None);
}
