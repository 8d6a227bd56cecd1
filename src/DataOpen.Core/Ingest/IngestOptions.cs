namespace DataOpen.Core.Ingest;

/// <summary>
/// Limits and conventions of one ingest run. There is deliberately no sample size for type inference:
/// types are inferred from every value (<see cref="TypeInference"/>), which costs one extra read of the
/// file but never publishes a column whose type a later value contradicts.
/// </summary>
public sealed record IngestOptions
{
    public static readonly IngestOptions Default = new();

    /// <summary>
    /// Largest single field, in bytes of the source file (1 MiB). A larger field is rejected while
    /// it is being read, before it is held in memory; it usually means an unclosed quote.
    /// </summary>
    public int MaxFieldBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest single row, in bytes of the source file (16 MiB).</summary>
    public int MaxRowBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How many rejected values the report keeps in full; beyond that only the count grows.</summary>
    public int MaxReportedErrors { get; init; } = 1000;

    /// <summary>
    /// Offset applied to timestamps written without one, when the dataset states no <c>timeZone</c>.
    /// </summary>
    public TimeSpan DefaultTimeZone { get; init; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Values (compared after trimming white space) that mean "no value" in every column, text included.
    /// Empty and white-space-only values are always null. "-" and "NA" are deliberately absent:
    /// both are real values too often (a dash placeholder in text, sodium, Namibia).
    /// </summary>
    public IReadOnlyList<string> NullMarkers { get; init; } = ["NULL", "null", "Null", "N/A", "n/a", "\\N"];

    /// <summary>Bytes read from the start of a file to detect its encoding (64 KiB).</summary>
    public int EncodingProbeBytes { get; init; } = 64 * 1024;
}
