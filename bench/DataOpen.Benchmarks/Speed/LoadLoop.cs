using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DataOpen.Benchmarks.Speed;

/// <summary>One request of a load: the load loop cycles through a list of them (e.g. one per station, or one per id).</summary>
public sealed record LoadRequest(string Method, string Path, string? Body = null, string? ContentType = null, string? Accept = null);

/// <summary>A load: <see cref="Concurrency"/> clients in a closed loop against <see cref="BaseUrl"/> (loopback).</summary>
public sealed record LoadSpec(string BaseUrl, int Concurrency, double Seconds, double WarmUpSeconds, IReadOnlyList<LoadRequest> Requests);

/// <summary>What a load measured: completed requests/s, latency percentiles, CPU (percent of one core) of the service and of PostgreSQL.</summary>
public sealed record LoadResult(double Rps, double P50Ms, double P99Ms, long Requests, double ServiceCpu, double PostgresCpu);

/// <summary>
/// The load generator. It runs in a child process (this program, mode <c>load-child</c>), so that the CPU of
/// the process serving the requests is the service's alone: for DataOpen and the bare-Npgsql floor that is this
/// process, for PostGraphile its node process. HttpClient, one connection per client, keep-alive.
/// </summary>
public static class LoadLoop
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Runs <paramref name="spec"/> in a child process, sampling CPU of <paramref name="servicePid"/> and of the cluster's processes over the timed part.</summary>
    public static async Task<LoadResult> RunAsync(LoadSpec spec, int servicePid, int postmasterPid)
    {
        var specPath = Path.Combine(Path.GetTempPath(), $"dataopen-load-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(specPath, JsonSerializer.Serialize(spec, Json));
        try
        {
            var psi = BenchMain.SelfStartInfo(["load-child", specPath]);
            psi.RedirectStandardError = true;
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            (double Service, double Postgres, DateTime At)? start = null;
            LoadResult? result = null;
            while (await p.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "timed")
                {
                    start = (CpuSeconds(servicePid), PostgresCpuSeconds(postmasterPid), DateTime.UtcNow);
                }
                else if (line.StartsWith("result ", StringComparison.Ordinal) && start is { } s)
                {
                    var (service, postgres, elapsed) = (CpuSeconds(servicePid), PostgresCpuSeconds(postmasterPid), (DateTime.UtcNow - s.At).TotalSeconds);
                    var r = JsonSerializer.Deserialize<LoadResult>(line[7..], Json)!;
                    result = r with { ServiceCpu = 100 * (service - s.Service) / elapsed, PostgresCpu = 100 * (postgres - s.Postgres) / elapsed };
                }
            }

            await p.WaitForExitAsync();
            return p.ExitCode == 0 && result is not null ? result : throw new InvalidOperationException($"the load failed: {(await stderr).Trim()}");
        }
        finally
        {
            File.Delete(specPath);
        }
    }

    /// <summary>Child mode: runs the load in the spec file; prints <c>timed</c> after the warm-up and <c>result {json}</c> at the end.</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var spec = JsonSerializer.Deserialize<LoadSpec>(await File.ReadAllTextAsync(args[0]), Json)!;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = spec.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(spec.BaseUrl),
            Timeout = TimeSpan.FromMinutes(2),
        };
        var bodies = spec.Requests.Select(r => r.Body is null ? null : Encoding.UTF8.GetBytes(r.Body)).ToArray();

        async Task<List<long>> RunFor(TimeSpan span)
        {
            var stopAt = Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
            var perClient = await Task.WhenAll(Enumerable.Range(0, spec.Concurrency).Select(async c =>
            {
                var times = new List<long>(1 << 14);
                var next = c * 7919;
                var buffer = new byte[16384];
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var i = next++ % spec.Requests.Count;
                    var r = spec.Requests[i];
                    using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
                    if (bodies[i] is { } body)
                    {
                        request.Content = new ByteArrayContent(body);
                        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(r.ContentType ?? "application/json");
                    }

                    if (r.Accept is not null)
                    {
                        request.Headers.Accept.ParseAdd(r.Accept);
                    }

                    var t0 = Stopwatch.GetTimestamp();
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    await using (var stream = await response.Content.ReadAsStreamAsync())
                    {
                        while (await stream.ReadAsync(buffer) > 0)
                        {
                        }
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{r.Method} {r.Path} answered {(int)response.StatusCode}");
                    }

                    times.Add(Stopwatch.GetTimestamp() - t0);
                }

                return times;
            }));
            return perClient.SelectMany(t => t).ToList();
        }

        await RunFor(TimeSpan.FromSeconds(spec.WarmUpSeconds));
        Console.WriteLine("timed");
        var sw = Stopwatch.StartNew();
        var all = await RunFor(TimeSpan.FromSeconds(spec.Seconds));
        var elapsed = sw.Elapsed.TotalSeconds;
        all.Sort();
        double Ms(double q) => all.Count == 0 ? double.NaN : all[Math.Min(all.Count - 1, (int)(q * all.Count))] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine("result " + JsonSerializer.Serialize(new LoadResult(all.Count / elapsed, Ms(0.5), Ms(0.99), all.Count, 0, 0), Json));
        return 0;
    }

    /// <summary>utime + stime of a process, in seconds (0 when it is gone).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = StatFields(pid);
        return stat is null ? 0 : (long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture)) / ClockTicks;
    }

    /// <summary>CPU seconds of the postmaster and every process it started (backends, checkpointer, walwriter…).</summary>
    public static double PostgresCpuSeconds(int postmasterPid)
    {
        var total = CpuSeconds(postmasterPid);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && StatFields(pid) is { } f && f[1] == postmasterPid.ToString(CultureInfo.InvariantCulture))
            {
                total += (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / ClockTicks;
            }
        }

        return total;
    }

    /// <summary>The parent pid of a process (from /proc/pid/stat), or 0.</summary>
    public static int ParentPid(int pid) => StatFields(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : 0;

    /// <summary>The USER_HZ of Linux's /proc accounting: 100 on every architecture .NET runs on.</summary>
    private const double ClockTicks = 100.0;

    /// <summary>Fields of /proc/pid/stat after the command name: [0] state, [1] ppid, … [11] utime, [12] stime.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
