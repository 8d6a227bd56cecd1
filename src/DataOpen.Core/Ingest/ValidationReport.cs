using DataOpen.Core.Catalog;

namespace DataOpen.Core.Ingest;

/// <summary>A value that could not be converted to its column's type.</summary>
/// <param name="Row">Row number as in <see cref="IRowSource.RowNumber"/> (CSV/XLSX: the header is row 1; JSON Lines: the line).</param>
/// <param name="Column">The public column name.</param>
/// <param name="Value">The raw value, cut to 200 characters.</param>
public sealed record RejectedValue(long Row, string Column, string Value, string Reason);

/// <summary>One column as loaded: its type, where the type came from, and how many values were null or rejected.</summary>
public sealed record ColumnReport(string Name, string Header, FieldType Type, TypeOrigin Origin, long NullCount, long RejectedCount);

/// <summary>
/// The outcome of converting every row of a source: counts, the first
/// <see cref="IngestOptions.MaxReportedErrors"/> rejected values in full, and the total beyond them.
/// </summary>
public sealed class ValidationReport
{
    public const int MaxValueLength = 200;

    private readonly ColumnPlan plan;
    private readonly List<RejectedValue> rejected = [];
    private readonly long[] nullCounts;
    private readonly long[] rejectedCounts;
    private readonly int maxReported;

    public ValidationReport(ColumnPlan plan, IngestOptions? options = null)
    {
        this.plan = plan;
        maxReported = (options ?? IngestOptions.Default).MaxReportedErrors;
        nullCounts = new long[plan.Columns.Count];
        rejectedCounts = new long[plan.Columns.Count];
    }

    /// <summary>Data rows read (blank rows excluded).</summary>
    public long TotalRows { get; private set; }

    /// <summary>Rows whose every value converted.</summary>
    public long AcceptedRows { get; private set; }

    /// <summary>All rejected values, including those not kept in <see cref="RejectedValues"/>.</summary>
    public long RejectedValueCount { get; private set; }

    /// <summary>The first rejected values, at most <see cref="IngestOptions.MaxReportedErrors"/>.</summary>
    public IReadOnlyList<RejectedValue> RejectedValues => rejected;

    /// <summary>More values were rejected than <see cref="RejectedValues"/> lists.</summary>
    public bool IsTruncated => RejectedValueCount > rejected.Count;

    public bool IsValid => RejectedValueCount == 0;

    public IReadOnlyList<ColumnReport> Columns => plan.Columns
        .Select((c, i) => new ColumnReport(c.Name, c.Header, c.Type, c.Origin, nullCounts[i], rejectedCounts[i]))
        .ToArray();

    internal void CountRow(bool accepted)
    {
        TotalRows++;
        if (accepted)
        {
            AcceptedRows++;
        }
    }

    internal void CountNull(int column) => nullCounts[column]++;

    internal void Reject(long row, int column, ReadOnlySpan<char> value, string reason)
    {
        RejectedValueCount++;
        rejectedCounts[column]++;
        if (rejected.Count < maxReported)
        {
            string text = value.Length > MaxValueLength ? string.Concat(value[..MaxValueLength], "…") : value.ToString();
            rejected.Add(new RejectedValue(row, plan.Columns[column].Name, text, reason));
        }
    }
}
