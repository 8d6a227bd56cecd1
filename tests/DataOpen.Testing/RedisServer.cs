using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataOpen.Testing;

/// <summary>A throwaway redis-server on a free port, without persistence, that tests can kill and restart.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly string binary;
    private readonly string dir = Path.Combine(Path.GetTempPath(), "dataopen-redis-" + Guid.NewGuid().ToString("N")[..10]);
    private Process? process;

    private RedisServer(string binary)
    {
        this.binary = binary;
        Port = FreePort();
        Directory.CreateDirectory(dir);
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The server's process id (for CPU accounting); 0 when it is not running.</summary>
    public int ProcessId => process is { HasExited: false } p ? p.Id : 0;

    public static string? Find()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(folder, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Why Redis tests cannot run here, or null. On CI (CI=true) a missing redis-server fails instead: .ci/run installs it.</summary>
    public static string? SkipReason =>
        Find() is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? "redis-server is not installed (apt-get install redis-server); .ci/run installs it and CI runs these tests"
            : null;

    public static RedisServer Start()
    {
        var server = new RedisServer(Find() ?? throw new InvalidOperationException("redis-server is not installed: apt-get install redis-server (.ci/run does)."));
        try
        {
            server.Restart();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Restart()
    {
        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {Port} within 10 s.");
    }

    /// <summary>Kills the server process at once (SIGKILL): no goodbye to connected clients.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
