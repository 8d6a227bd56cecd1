using System.Globalization;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Suppression;

/// <summary>Timings of one protection run on a random table.</summary>
public sealed record DisclosureBenchmarkResult(
    int Cells,
    int Records,
    int PrimaryCells,
    int SuppressedCells,
    TimeSpan Suppression,
    TimeSpan Audit,
    bool AuditPassed);

/// <summary>Hook for the benchmark program: random 3-dimensional magnitude tables of a given size.</summary>
public static class DisclosureBenchmark
{
    /// <summary>Builds a random measure×track×year-like table whose cell count (margins included) is close to
    /// <paramref name="cells"/> from synthetic microdata: 0–12 enterprises per interior cell, log-normal amounts,
    /// some cells dominated by one large enterprise.</summary>
    public static StatTable RandomTable(int cells, ulong seed = 1)
    {
        var (definition, data, _) = RandomMicrodata(cells, seed);
        return TableBuilder.Build(definition, data);
    }

    /// <summary>Two releases of the random table one period apart: the first lacks the records of the last
    /// category of the third dimension (the new quarter), the second is complete; every other cell is equal in both.</summary>
    public static (StatTable First, StatTable Second) RandomReleases(int cells, ulong seed = 1)
    {
        var (definition, data, last) = RandomMicrodata(cells, seed);
        var earlier = new Microdata(data.Name, data.Columns, [.. data.Rows.Where(r => r[2] != last)]);
        return (TableBuilder.Build(definition, earlier), TableBuilder.Build(definition, data));
    }

    private static (TableDefinition Definition, Microdata Data, string Last) RandomMicrodata(int cells, ulong seed)
    {
        if (cells < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(cells), $"a 3-dimensional table with margins has at least 8 cells, asked for {cells}");
        }
        // Sides (with their total) as equal as possible: s1·s2·s3 ≈ cells.
        var side = Math.Max(2, (int)Math.Round(Math.Cbrt(cells)));
        var s1 = side;
        var s2 = Math.Max(2, (int)Math.Round(Math.Sqrt(cells / (double)s1)));
        var s3 = Math.Max(2, (int)Math.Round(cells / (double)(s1 * s2)));
        var random = new SplitMix64(seed);
        var rows = new List<string[]>();
        var enterprise = 0;
        for (var a = 0; a < s1 - 1; a++)
        {
            for (var b = 0; b < s2 - 1; b++)
            {
                for (var c = 0; c < s3 - 1; c++)
                {
                    var n = random.NextDouble() < 0.08 ? 0 : random.Next(1, 13);
                    var dominated = random.NextDouble() < 0.05;
                    for (var k = 0; k < n; k++)
                    {
                        var amount = Math.Round(random.LogNormal(12, 1) * (dominated && k == 0 ? 30 : 1));
                        rows.Add([$"a{a:D2}", $"b{b:D2}", $"c{c:D2}", $"E{enterprise++}", amount.ToString(CultureInfo.InvariantCulture)]);
                    }
                }
            }
        }
        var data = new Microdata("bench", ["a", "b", "c", "enterprise", "amount"], rows);
        var definition = new TableDefinition($"bench_{cells}", "bench",
            [
                new DimensionDefinition("a", "a", Labels("a", s1 - 1)),
                new DimensionDefinition("b", "b", Labels("b", s2 - 1)),
                new DimensionDefinition("c", "c", Labels("c", s3 - 1)),
            ],
            MeasureDefinition.SumOf("amount"), "enterprise", UnitKind.Enterprise);
        return (definition, data, $"c{s3 - 2:D2}");
    }

    /// <summary>Builds a random table of about <paramref name="cells"/> cells and times suppression and audit.</summary>
    public static DisclosureBenchmarkResult Run(int cells, ulong seed = 1, DisclosureParameters? parameters = null)
    {
        var table = RandomTable(cells, seed);
        var result = DisclosureControl.Protect(table, parameters ?? DisclosureParameters.Default);
        return new DisclosureBenchmarkResult(table.Cells.Count, (int)table.Cells[^1].Contributors, result.PrimaryCount, result.SuppressedCount,
            result.SuppressionTime, result.AuditTime, result.Audit.Passed);
    }

    private static string[] Labels(string prefix, int n) => [.. Enumerable.Range(0, n).Select(i => $"{prefix}{i:D2}")];
}
