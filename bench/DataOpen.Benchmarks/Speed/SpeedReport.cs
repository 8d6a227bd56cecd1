using System.Globalization;

namespace DataOpen.Benchmarks.Speed;

/// <summary>
/// Prints each side as it is measured and, at the end, the goals of issue 14 as a Markdown table (what
/// docs/performance.md shows): every door ≥ 0.8 of the floor; page ≥ 3× and by id ≥ 2× PostGraphile's
/// req/s; the 10M-row page p50 ≤ 2× the 1M-row one; the deep cursor page ≤ 2× the first page.
/// </summary>
public sealed class SpeedReport(double seconds, int clients)
{
    private static readonly string[] Everyone = ["floor", "REST", "OData", "GraphQL", "PostGraphile"];
    private static readonly string[] Kinds = ["page", "by id"];
    private readonly List<(long Rows, Side Side, LoadResult? Result)> results = [];
    private readonly List<(long Rows, double FirstMs, double DeepMs, string? Why)> deep = [];

    public void Add(long rows, Side side, LoadResult? result)
    {
        results.Add((rows, side, result));
        var size = Size(rows);
        Console.WriteLine(result is null
            ? $"   {size} {side.Query,-9} {side.Door,-13} {side.NotAvailable}"
            : string.Create(CultureInfo.InvariantCulture,
                $"   {size} {side.Query,-9} {side.Door,-13} {result.Rps,9:F0} req/s  p50 {result.P50Ms,7:F2} ms  p99 {result.P99Ms,7:F2} ms  CPU: service {result.ServiceCpu,4:F0} %, PostgreSQL {result.PostgresCpu,4:F0} %  ({result.Requests:N0} requests; {side.Label})"));
    }

    public void Deep(long rows, double firstMs, double deepMs, string? why)
    {
        deep.Add((rows, firstMs, deepMs, why));
        Console.WriteLine(why ?? string.Create(CultureInfo.InvariantCulture,
            $"   {Size(rows)} REST cursor page at depth 900,000 (station in 19 of 20): {deepMs:F2} ms, first page {firstMs:F2} ms (median of 200), ratio {deepMs / firstMs:F2} (goal ≤ 2)"));
    }

    public void PrintSummary()
    {
        Console.WriteLine($"\n== Summary ({clients} clients, {seconds:F0} s per side). ✔ goal met, ✘ not met.\n");
        Console.WriteLine("| table | query | door | req/s | p50 ms | p99 ms | vs floor (≥ 0.8) | vs PostGraphile | CPU service / PostgreSQL |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var rows in results.Select(r => r.Rows).Distinct())
        {
            foreach (var kind in Kinds)
            {
                var peer = Find(rows, "PostGraphile", kind);
                foreach (var door in Everyone)
                {
                    foreach (var (_, side, result) in results.Where(r => r.Rows == rows && r.Side.Door == door && Kind(r.Side.Query) == kind))
                    {
                        if (result is null)
                        {
                            Console.WriteLine($"| {Size(rows)} | {side.Query} | {door} | {side.NotAvailable} | | | | | |");
                            continue;
                        }

                        var floor = Find(rows, "floor", side.Query);
                        var vsFloor = door is "floor" or "PostGraphile" || floor is null ? "" : Mark(result.Rps / floor.Rps, 0.8);
                        var goal = kind == "page" ? 3.0 : 2.0;
                        var vsPeer = door is "floor" or "PostGraphile" || peer is null ? "" : Mark(result.Rps / peer.Rps, goal) + $" (goal ≥ {goal:F0}×)";
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {Size(rows)} | {side.Query} | {door} | {result.Rps:N0} | {result.P50Ms:F2} | {result.P99Ms:F2} | {vsFloor} | {vsPeer} | {result.ServiceCpu:F0} % / {result.PostgresCpu:F0} % |"));
                    }
                }
            }
        }

        var sizes = results.Select(r => r.Rows).Distinct().Order().ToArray();
        if (sizes.Length > 1)
        {
            Console.WriteLine("\nScale: page p50 on the larger table ÷ on the 1M-row one (goal ≤ 2)\n");
            foreach (var door in Everyone)
            {
                if (Find(sizes[0], door, "page") is { } small && Find(sizes[^1], door, "page") is { } large)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"- {door}: {large.P50Ms:F2} ms ({Size(sizes[^1])}) ÷ {small.P50Ms:F2} ms ({Size(sizes[0])}) = {Mark(large.P50Ms / small.P50Ms, 2, lowerIsBetter: true)}"));
                }
            }
        }

        Console.WriteLine();
        foreach (var (rows, first, deepMs, why) in deep)
        {
            Console.WriteLine(why is not null
                ? $"- {Size(rows)} cursor page at depth 900,000: {why}"
                : string.Create(CultureInfo.InvariantCulture, $"- {Size(rows)} REST cursor page at depth 900,000 under a station filter: {deepMs:F2} ms vs first page {first:F2} ms = {Mark(deepMs / first, 2, lowerIsBetter: true)} (goal ≤ 2)"));
        }
    }

    private static string Kind(string query) => query == "page" ? "page" : "by id";

    private LoadResult? Find(long rows, string door, string query) =>
        results.FirstOrDefault(r => r.Rows == rows && r.Side.Door == door && (r.Side.Query == query || (door == "PostGraphile" && Kind(r.Side.Query) == Kind(query)))).Result;

    private static string Size(long rows) => rows % 1_000_000 == 0 ? $"{rows / 1_000_000}M" : rows.ToString(CultureInfo.InvariantCulture);

    private static string Mark(double ratio, double goal, bool lowerIsBetter = false) =>
        string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}× {((lowerIsBetter ? ratio <= goal : ratio >= goal) ? "✔" : "✘")}");
}
