using System.Diagnostics;

namespace DataOpen.Benchmarks;

/// <summary>
/// Each benchmark prints ratios against a floor measured in the same run (psql, raw Npgsql, a bare endpoint).
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- &lt;name&gt; [args]
/// </summary>
public static class BenchMain
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Benchmarks = new(StringComparer.Ordinal)
    {
        ["ingest"] = IngestBenchmarks.RunAsync,
        ["ingest-child"] = IngestBenchmarks.ChildAsync,
        ["rest"] = RestBenchmarks.RunAsync,
        ["access"] = AccessBenchmarks.RunAsync,
        ["odata"] = ODataBenchmarks.RunAsync,
        ["graphql"] = GraphQLBenchmarks.RunAsync,
        ["disclosure"] = DisclosureBenchmarks.RunAsync,
        ["suppression"] = SuppressionBenchmarks.RunAsync,
        ["speed"] = Speed.SpeedBenchmarks.RunAsync,
        ["load-child"] = Speed.LoadLoop.ChildAsync,
        ["soak"] = Soak.SoakBenchmark.RunAsync,
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var run))
        {
            Console.WriteLine("Benchmarks: " + string.Join(", ", Benchmarks.Keys.Where(k => !k.EndsWith("-child", StringComparison.Ordinal))));
            return args.Length == 0 ? 0 : 2;
        }

        return await run(args[1..]);
    }

    /// <summary>Runs this program again with <paramref name="args"/> and returns its standard output (for per-process peak memory).</summary>
    public static async Task<string> RunSelfAsync(IReadOnlyList<string> args)
    {
        using var p = Process.Start(SelfStartInfo(args))!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"child {string.Join(' ', args)} exited {p.ExitCode}");
    }

    /// <summary>A start of this program with <paramref name="args"/>, standard output redirected.</summary>
    public static ProcessStartInfo SelfStartInfo(IReadOnlyList<string> args)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(BenchMain).Assembly.Location);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }
}
