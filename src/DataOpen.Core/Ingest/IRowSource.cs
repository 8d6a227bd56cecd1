namespace DataOpen.Core.Ingest;

/// <summary>
/// Rows of a source file, read one at a time as raw text. Reading is synchronous on purpose: the
/// CSV parser's row cannot live across an <c>await</c>, and sync reads are the fast path.
/// </summary>
/// <remarks>
/// Row numbers (<see cref="RowNumber"/>, and every row in errors and reports) are the positions a
/// publisher sees when opening the file: for CSV and XLSX the header is row 1 and the first data
/// row is row 2 (a CSV record with a quoted line break still counts as one row, as in Excel);
/// for JSON Lines it is the line number, the first line being row 1. Blank rows are skipped but
/// keep their number. <see cref="DataRowIndex"/> counts data rows only (1, 2, 3 …) and is what the
/// loader writes to <c>_row_id</c>.
/// </remarks>
public interface IRowSource : IDisposable
{
    /// <summary>csv, xlsx or jsonl.</summary>
    string Format { get; }

    /// <summary>utf-8, utf-8-bom, gbk or gb18030 (xlsx: utf-8, the encoding of its XML parts).</summary>
    string Encoding { get; }

    /// <summary>Column names as written in the file, trimmed; unique and non-empty.</summary>
    IReadOnlyList<string> Headers { get; }

    /// <summary>Position of the current row as the publisher sees it (see remarks).</summary>
    long RowNumber { get; }

    /// <summary>1-based ordinal of the current row among data rows.</summary>
    long DataRowIndex { get; }

    /// <summary>Moves to the next data row; false at the end. Throws <see cref="IngestException"/> when the file is malformed.</summary>
    bool Read();

    /// <summary>
    /// The raw text of a column of the current row (empty for missing/null). Valid only until the next <see cref="Read"/>.
    /// </summary>
    ReadOnlySpan<char> GetValue(int column);
}
