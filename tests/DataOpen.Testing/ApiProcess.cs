using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DataOpen.Testing;

/// <summary>
/// The service as a real operating-system process (<c>dotnet DataOpen.Api.dll</c>, the build the tests use),
/// for what an in-process host cannot show: two processes on one cluster folder or port, a kill -9.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    private ApiProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string StandardOutput { get { lock (stdout) { return stdout.ToString(); } } }

    public string StandardError { get { lock (stderr) { return stderr.ToString(); } } }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the service on 127.0.0.1:<paramref name="port"/> with <paramref name="settings"/> as environment variables (DataOpen__X, ConnectionStrings__Y).</summary>
    public static ApiProcess Start(int port, IReadOnlyDictionary<string, string> settings)
    {
        var dll = typeof(Program).Assembly.Location;
        var repo = DataOpen.Api.Infrastructure.RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("The repository root was not found.");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(repo, "src", "DataOpen.Api"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in settings)
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var api = new ApiProcess(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (api.stdout) { api.stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (api.stderr) { api.stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>
    /// How long a real process may take to be ready: it provisions or migrates a cluster and may seed the sample
    /// catalog, on a 2-core machine running the rest of the suite at the same time (90 s was too short at load 30+).
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Waits until /health/ready answers 200; fails with the process's output if it exits or takes too long.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited ({process.ExitCode}): {StandardError}{StandardOutput}");
            }

            try
            {
                using var response = await client.GetAsync("health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The service was not ready within {timeout}: {StandardError}{StandardOutput}");
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        process.WaitForExit(); // drains the output readers
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs (its PostgreSQL, if it started one, keeps running).</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>SIGTERM, the graceful stop (the host disposes its services), then SIGKILL after 20 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        process.Dispose();
    }
}
