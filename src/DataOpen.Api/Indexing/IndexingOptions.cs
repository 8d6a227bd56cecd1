using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Indexing;

/// <summary>Adaptive indexes: when a recorded query shape gets an index of its own, and how much room they may take.</summary>
public sealed class IndexingOptions
{
    public const string Section = "DataOpen:Indexing";

    /// <summary>Run the builder; off, shapes are still recorded and listed but nothing is built.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between two builder runs on each instance (only one instance builds at a time: advisory lock).</summary>
    [Range(1, 86_400)]
    public int IntervalSeconds { get; set; } = 300;

    /// <summary>A shape is frequent once the current version served it this many times (all instances and doors together).</summary>
    [Range(1, long.MaxValue)]
    public long MinCalls { get; set; } = 100;

    /// <summary>A shape is slow when its 95th percentile time (to its time bucket) is at least this many milliseconds.</summary>
    [Range(0, 3_600_000)]
    public double SlowMs { get; set; } = 100;

    /// <summary>A candidate is built only if the planner's cost of the shape's query with the hypothetical index is at most 1/MinCostFactor of its cost without.</summary>
    [Range(1.0, 1e9)]
    public double MinCostFactor { get; set; } = 5;

    /// <summary>Bytes the adaptive indexes of one dataset's current version may take together (estimated before building, measured after).</summary>
    [Range(0, long.MaxValue)]
    public long BudgetBytesPerDataset { get; set; } = 256L * 1024 * 1024;

    /// <summary>Budgets of single datasets, by identifier, in place of <see cref="BudgetBytesPerDataset"/>.</summary>
    public Dictionary<string, long> DatasetBudgets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Indexes one builder run builds at most (each one is a CREATE INDEX CONCURRENTLY: a scan of the table).</summary>
    [Range(1, 100)]
    public int MaxBuildsPerRun { get; set; } = 2;

    public long BudgetFor(string identifier) => DatasetBudgets.TryGetValue(identifier, out var b) ? b : BudgetBytesPerDataset;
}
