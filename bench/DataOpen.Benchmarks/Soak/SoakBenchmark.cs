using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DataOpen.Benchmarks.Speed;

namespace DataOpen.Benchmarks.Soak;

/// <summary>
/// Issue 15's soak: the multi-node topology (<see cref="SoakTopology"/>) under <c>clients</c> concurrent clients mixing REST,
/// OData, GraphQL and downloads for <c>seconds</c> (after a warm-up of a tenth of it, at least 3 s). Reports every status per
/// door, p50/p99 per door, requests/s, CPU per process from /proc (A, B, each PostgreSQL with its backends, redis, this load
/// generator) and the machine (cores, load average before and after). Exits 1 when any request answered 5xx or broke.
/// Run: <c>dotnet run -c Release --project bench/DataOpen.Benchmarks -- soak [seconds=60] [clients=200] [rows=100000]</c>.
/// Ctrl-C (SIGINT) or SIGTERM stops the load and cleans up; so does any failure.
/// </summary>
public static class SoakBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 60;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
        var warmUp = Math.Max(3, seconds / 10);
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            // The first signal cleans up; the process ends when RunAsync returns.
            context.Cancel = true;
            Console.Error.WriteLine($"soak: {context.Signal}, stopping and cleaning up");
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var clock = Stopwatch.StartNew();
        void Log(string line) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1} s] {line}"));

        await using var topology = new SoakTopology();
        try
        {
            await topology.StartAsync(rows, Log, cancel.Token);
            var keys = await topology.CreateKeysAsync(Math.Max(1, clients / 10), cancel.Token);
            var field = await topology.RowsFieldAsync(cancel.Token);
            Log($"{keys.Count} API keys (registered tier, limits raised, shared in Redis); GraphQL field {field}");

            var loadBefore = LoadAverage();
            var timedFrom = Stopwatch.GetTimestamp() + (long)(warmUp * Stopwatch.Frequency);
            using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
            stopLoad.CancelAfter(TimeSpan.FromSeconds(warmUp + seconds));
            var load = SoakLoad.RunAsync([topology.A!.BaseAddress, topology.B!.BaseAddress], keys, clients, SoakLoad.Mix(field), timedFrom, stopLoad.Token);
            Log($"{clients} clients started, warm-up {warmUp:F0} s, then {seconds:F0} s timed");
            await Task.Delay(TimeSpan.FromSeconds(warmUp), cancel.Token);
            var cpuBefore = Cpu(topology);
            var timed = Stopwatch.StartNew();
            var stats = await load;
            var elapsed = timed.Elapsed.TotalSeconds;
            var cpuAfter = Cpu(topology);
            var loadAfter = LoadAverage();
            cancel.Token.ThrowIfCancellationRequested();

            Console.WriteLine();
            Console.WriteLine($"soak: {seconds:F0} s timed (+{warmUp:F0} s warm-up), {clients} clients (half on A, half on B), bench-1m with {rows:N0} rows");
            Console.WriteLine($"machine: {Machine.Describe()}");
            Console.WriteLine($"load average (1, 5, 15 min): before {loadBefore}, after {loadAfter}");
            Console.WriteLine($"{"door",-9} {"requests",9} {"req/s",8} {"p50 ms",8} {"p99 ms",8}  statuses");
            foreach (var (door, s) in stats)
            {
                var statuses = string.Join(", ", s.Statuses.OrderBy(x => x.Key).Select(x => $"{x.Key}×{x.Value}")) + (s.Failures > 0 ? $", broken×{s.Failures}" : "");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{door,-9} {s.Count,9} {s.Count / elapsed,8:F1} {s.Percentile(0.5),8:F1} {s.Percentile(0.99),8:F1}  {statuses}"));
            }

            var total = stats.Values.Sum(s => s.Count);
            var fivexx = stats.Values.Sum(s => s.CountWhere(c => c >= 500));
            var tooMany = stats.Values.Sum(s => s.CountWhere(c => c == 429));
            var broken = stats.Values.Sum(s => s.Failures);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"all",-9} {total,9} {total / elapsed,8:F1}"));
            Console.WriteLine($"5xx: {fivexx}   429: {tooMany}   broken (no status): {broken}   other non-2xx: {stats.Values.Sum(s => s.CountWhere(c => c is >= 300 and < 500 and not 429))}");
            foreach (var s in stats.Values.Where(s => s.FirstFailure is not null))
            {
                Console.WriteLine("first broken: " + s.FirstFailure);
            }

            Console.WriteLine("CPU over the timed part, % of one core: " + string.Join(", ", cpuAfter.Select(p =>
                string.Create(CultureInfo.InvariantCulture, $"{p.Key} {100 * (p.Value - cpuBefore.GetValueOrDefault(p.Key)) / elapsed:F0}"))));
            Console.WriteLine($"A reads: {await SoakTopology.ReplicasAsync(topology.A!)}");
            Console.WriteLine($"B reads: {await SoakTopology.ReplicasAsync(topology.B!)}");
            return fivexx == 0 && broken == 0 && total > 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Log("stopped before the end; cleaning up");
            return 130;
        }
        catch (Exception ex)
        {
            Log($"failed: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            Log("cleaning up (instances, redis, standby, primary, folders)");
        }
    }

    /// <summary>CPU seconds so far of each process of the topology (PostgreSQL: the postmaster and its backends).</summary>
    private static Dictionary<string, double> Cpu(SoakTopology t) => new(StringComparer.Ordinal)
    {
        ["A"] = LoadLoop.CpuSeconds(t.A!.Id),
        ["B"] = LoadLoop.CpuSeconds(t.B!.Id),
        ["primary"] = LoadLoop.PostgresCpuSeconds(t.Primary!.ProcessId),
        ["standby"] = LoadLoop.PostgresCpuSeconds(t.Standby!.ProcessId),
        ["redis"] = LoadLoop.CpuSeconds(t.Redis!.ProcessId),
        ["load generator"] = LoadLoop.CpuSeconds(Environment.ProcessId),
    };

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
