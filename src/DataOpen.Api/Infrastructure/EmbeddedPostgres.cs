using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster built from the machine's server binaries: the "embedded default on
/// the real engine". initdb runs once (as the <c>postgres</c> OS user when this process is root,
/// because initdb refuses root), the server listens on 127.0.0.1 on a free port with its socket in
/// the cluster folder, and the folder is reused on the next start.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string SuperUser = "postgres";

    private readonly string dataDir;
    private readonly string binDir;
    private readonly bool asPostgresUser;
    private readonly bool ephemeral;

    private FileStream? ownerLock;
    private string serverOptions = "";

    private EmbeddedPostgres(string dataDir, string binDir, bool asPostgresUser, bool ephemeral, int port)
    {
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.asPostgresUser = asPostgresUser;
        this.ephemeral = ephemeral;
        Port = port;
    }

    /// <summary>File in the cluster folder that the owning process holds locked (flock) for as long as it runs.</summary>
    public const string LockFileName = "dataopen.lock";

    /// <summary>Beside the lock: the owner's process id, for the message a second start prints.</summary>
    public const string OwnerFileName = "dataopen.owner";

    /// <summary>
    /// True when this process owns the cluster (started or adopted it, holds its lock) and stops it on dispose;
    /// false for a guest (the <c>datasets</c> CLI beside a running service), which never stops it.
    /// </summary>
    public bool IsOwner => ownerLock is not null;

    public int Port { get; private set; }

    public string DataDirectory => dataDir;

    /// <summary>Connection string of the superuser, used only to bootstrap roles and the database.</summary>
    public string SuperUserConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database};Pooling=false;Timeout=15";

    /// <summary>
    /// Initialises (if needed) and starts the cluster under <paramref name="dataDirectory"/>.
    /// An ephemeral cluster (tests) is tuned for speed and deleted on dispose.
    /// </summary>
    /// <remarks>
    /// One process owns a cluster folder: it holds <see cref="LockFileName"/> locked until it exits (a kill -9
    /// releases it too). A second start on the same folder fails with one line naming the owner and the port,
    /// and leaves the running cluster alone, unless <paramref name="asGuest"/> (the CLI), which then uses the
    /// running server without ever stopping it. A server left running by an owner that died is adopted.
    /// </remarks>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, string? configuredBinDir, bool ephemeral, CancellationToken ct, bool asGuest = false)
    {
        var binDir = FindBinDir(configuredBinDir) ?? throw new EmbeddedPostgresException(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres, version 14 or newer) were not found. " +
            "Either install them (Debian/Ubuntu: `apt-get install postgresql`; the service looks in `pg_config --bindir` and /usr/lib/postgresql/*/bin, " +
            "or set DataOpen__Postgres__BinDir), or point the service at an existing server with ConnectionStrings__DataOpen.");

        var asPostgresUser = Environment.UserName == "root" || geteuid() == 0;
        var fullDir = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(fullDir);
        if (asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", fullDir], null, ct);
        }

        if (!File.Exists(Path.Combine(fullDir, "PG_VERSION")))
        {
            var initdb = Path.Combine(binDir, "initdb");
            await RunAsync(initdb, ["-D", fullDir, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asPostgresUser ? "postgres" : null, ct);
        }

        var pg = new EmbeddedPostgres(fullDir, binDir, asPostgresUser, ephemeral, 0);
        pg.ownerLock = TryLock(fullDir);
        var running = pg.RunningPort();
        if (pg.ownerLock is null)
        {
            if (asGuest && running is int guestPort && await CanConnectAsync(guestPort, ct))
            {
                pg.Port = guestPort;
                return pg;
            }

            throw new EmbeddedPostgresException(OwnedMessage(fullDir, running));
        }

        await File.WriteAllTextAsync(Path.Combine(fullDir, OwnerFileName), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", ct);
        if (running is int port && await CanConnectAsync(port, ct))
        {
            // Left running by an owner that died (its lock went with it): adopt it.
            pg.Port = port;
            return pg;
        }

        pg.Port = FreePort();
        pg.serverOptions = $"-c listen_addresses=127.0.0.1 -c unix_socket_directories={fullDir} -c max_connections=200";
        if (ephemeral)
        {
            // A throwaway cluster need not survive an OS crash (fsync off), but a commit it acknowledged must survive
            // its own server being killed: tests stop it "immediately" mid-work, and with synchronous_commit off the
            // last commits (a publish, its webhook deliveries) were lost with the WAL buffers. With fsync off, a
            // synchronous commit is one write() to the page cache.
            pg.serverOptions += " -c fsync=off -c full_page_writes=off";
        }

        try
        {
            await pg.StartServerAsync(ct);
        }
        catch
        {
            pg.ReleaseLock();
            throw;
        }

        return pg;
    }

    /// <summary>Starts the stopped server again on the same port (tests of outages; the owner only).</summary>
    public Task StartServerAsync(CancellationToken ct) =>
        RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", dataDir, "-w", "-t", "60", "-l", Path.Combine(dataDir, "server.log"), "-o", $"-p {Port} {serverOptions}", "start"], asPostgresUser ? "postgres" : null, ct);

    /// <summary>Stops the server (<c>immediate</c>: like a crash, no goodbye to clients), keeping the folder and the ownership.</summary>
    public Task StopServerAsync(bool immediate, CancellationToken ct) =>
        RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", dataDir, "-w", "-m", immediate ? "immediate" : "fast", "stop"], asPostgresUser ? "postgres" : null, ct);

    private static FileStream? TryLock(string dir)
    {
        try
        {
            // FileShare.None takes an exclusive flock on Unix: held until this process closes it or dies.
            return new FileStream(Path.Combine(dir, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>One line: which process owns the folder and where its server listens, and the ways out.</summary>
    internal static string OwnedMessage(string dir, int? port)
    {
        var owner = File.Exists(Path.Combine(dir, OwnerFileName)) && int.TryParse(File.ReadAllText(Path.Combine(dir, OwnerFileName)).Trim(), out var pid) ? pid : (int?)null;
        var who = owner is int p ? $"process {p}{ProcessDescription(p)}" : "another process";
        var where = port is int pt ? $" and its PostgreSQL listens on 127.0.0.1:{pt}" : "";
        return $"the embedded PostgreSQL cluster in {dir} is owned by DataOpen {who}{where}; " +
            "stop that process first, or give this one its own folder (DataOpen__DataDirectory) or that server (ConnectionStrings__DataOpen).";
    }

    /// <summary>" (command line)" of a live process, from /proc; empty when unknown.</summary>
    internal static string ProcessDescription(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return cmdline.Length == 0 ? "" : $" ({(cmdline.Length > 120 ? cmdline[..120] + "…" : cmdline)})";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private void ReleaseLock()
    {
        ownerLock?.Dispose();
        ownerLock = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (ownerLock is null)
        {
            return; // a guest, or disposed already: the cluster is someone else's
        }

        try
        {
            await StopServerAsync(immediate: ephemeral, CancellationToken.None);
        }
        catch (EmbeddedPostgresException)
        {
            // Already stopped: nothing to do.
        }

        try
        {
            File.Delete(Path.Combine(dataDir, OwnerFileName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next owner overwrites it.
        }

        ReleaseLock();

        if (ephemeral)
        {
            // The server's last processes may still be closing files when pg_ctl returns: a delete that meets
            // one fails part-way, so it is tried again for a few seconds before the folder is left behind.
            for (var attempt = 1; Directory.Exists(dataDir); attempt++)
            {
                try
                {
                    Directory.Delete(dataDir, recursive: true);
                }
                catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && attempt < 20)
                {
                    await Task.Delay(250);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    break; // a leftover temp folder is harmless
                }
            }
        }
    }

    /// <summary>The port in postmaster.pid (line 4) when a server for this folder is already up.</summary>
    private int? RunningPort()
    {
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port))
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : port;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string? FindBinDir(string? configured)
    {
        static bool HasServer(string? dir) => !string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

        if (!string.IsNullOrEmpty(configured))
        {
            return HasServer(configured) ? configured : null;
        }

        try
        {
            var psi = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi);
            if (p is not null)
            {
                var dir = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                if (HasServer(dir) && MajorVersion(dir) >= 14)
                {
                    return dir;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config on PATH: look in the Debian layout below.
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var best = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => x.version >= 14 && HasServer(x.dir))
                .OrderByDescending(x => x.version)
                .FirstOrDefault();
            if (best.dir is not null)
            {
                return best.dir;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            if (HasServer(dir))
            {
                return dir;
            }
        }

        return null;
    }

    private static int MajorVersion(string binDir)
    {
        var parent = Path.GetFileName(Path.GetDirectoryName(binDir.TrimEnd('/')));
        return int.TryParse(parent, out var v) ? v : 14;
    }

    /// <summary>Runs a PostgreSQL program (as <paramref name="asUser"/> through runuser when set); fails with its output when it exits non-zero.</summary>
    internal static async Task RunAsync(string file, IReadOnlyList<string> args, string? asUser, CancellationToken ct)
    {
        var psi = asUser is null ? new ProcessStartInfo(file) : new ProcessStartInfo("runuser");
        if (asUser is not null)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(asUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = "/";
        using var process = Process.Start(psi) ?? throw new EmbeddedPostgresException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
#pragma warning disable CA5392, SYSLIB1054 // libc is resolved by the loader; geteuid has no managed equivalent.
    private static extern uint geteuid();
#pragma warning restore CA5392, SYSLIB1054
}

public sealed class EmbeddedPostgresException(string message) : Exception(message);
