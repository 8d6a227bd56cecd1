namespace DataOpen.Core.Ingest;

/// <summary>What makes a whole source file unusable.</summary>
public enum IngestProblem
{
    FileNotFound,
    UnsupportedFormat,
    UnknownEncoding,
    InvalidEncoding,
    EmptyFile,
    NoHeader,
    EmptyHeader,
    DuplicateHeader,
    DuplicateColumnName,
    UnknownField,
    InvalidFieldSpec,
    RaggedRow,
    FieldTooLarge,
    RowTooLarge,
    UnclosedQuote,
    InvalidJson,
    UnknownKey,
    SheetNotFound,
    InvalidDelimiter,

    /// <summary>A primaryKey field of dataset.json is not a column of the data.</summary>
    UnknownKeyField,

    /// <summary>Rows have a null in a primaryKey field.</summary>
    NullKey,

    /// <summary>Rows share a primaryKey value.</summary>
    DuplicateKey,

    /// <summary>The file was modified while it was being published.</summary>
    SourceChanged,
}

/// <summary>
/// The source file cannot be ingested at all (as opposed to single rejected values, which go to the
/// <see cref="ValidationReport"/>). <see cref="Row"/> follows the row numbering of <see cref="IRowSource.RowNumber"/>.
/// </summary>
public sealed class IngestException : Exception
{
    public IngestException(IngestProblem problem, string message, long? row = null, string? column = null, Exception? inner = null)
        : base(Describe(message, row, column), inner)
    {
        Problem = problem;
        Row = row;
        Column = column;
        Detail = message;
    }

    public IngestProblem Problem { get; }

    public long? Row { get; }

    public string? Column { get; }

    /// <summary>The message without the row/column prefix.</summary>
    public string Detail { get; }

    private static string Describe(string message, long? row, string? column) => (row, column) switch
    {
        (not null, not null) => $"Row {row}, column \"{column}\": {message}",
        (not null, null) => $"Row {row}: {message}",
        (null, not null) => $"Column \"{column}\": {message}",
        _ => message,
    };
}
