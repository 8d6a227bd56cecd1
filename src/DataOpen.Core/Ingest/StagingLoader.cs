using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Core.Ingest;

/// <param name="Completed">The COPY was completed: every value converted and all rows are in the table.</param>
/// <param name="RowsWritten">Rows in the table (0 when not completed).</param>
public sealed record LoadResult(bool Completed, ulong RowsWritten, ValidationReport Report);

/// <summary>
/// Converts rows to their column types and writes them to a staging table with binary COPY,
/// streaming: memory does not grow with the file.
/// </summary>
public static class StagingLoader
{
    internal const string NotABoolean = "not a boolean (true/false, yes/no, 是/否, 1/0)";

    /// <summary>
    /// Streams <paramref name="rows"/> through the converters of <paramref name="plan"/> into
    /// <paramref name="qualifiedTableName"/> (created with <see cref="ColumnPlan.CreateTableSql"/>),
    /// writing <c>_row_id</c> = <see cref="IRowSource.DataRowIndex"/>, in PostgreSQL's binary COPY format
    /// over Npgsql's raw binary COPY stream. At the first rejected value it stops writing but keeps
    /// converting, so <paramref name="report"/> counts every bad value; the COPY is then cancelled,
    /// not completed, and the caller rolls its transaction back.
    /// Throws <see cref="IngestException"/> for a malformed file and honours cancellation between rows.
    /// </summary>
    public static async Task<LoadResult> LoadAsync(
        NpgsqlConnection connection,
        string qualifiedTableName,
        ColumnPlan plan,
        IRowSource rows,
        ValidationReport report,
        IngestOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        plan.EnsureResolved();
        var copy = await connection.BeginRawBinaryCopyAsync(plan.CopySql(qualifiedTableName), cancellationToken);
        try
        {
            var writer = new PgBinaryCopyWriter(copy);
            // Synchronous writes inside the loop: Sep rows cannot cross an await, and sync writes were measured faster (TECH-NOTES).
            ConvertRows(plan, rows, report, options ?? IngestOptions.Default, new CopySink(writer, (short)(plan.Columns.Count + 1)), cancellationToken);
            if (!report.IsValid)
            {
                await copy.CancelAsync();
                await copy.DisposeAsync();
                return new LoadResult(false, 0, report);
            }

            writer.Complete();
        }
        catch
        {
            await CancelQuietly(copy);
            throw;
        }

        // Ends the COPY; errors the server finds (e.g. a NOT NULL violation) surface here.
        await copy.DisposeAsync();
        return new LoadResult(true, (ulong)report.TotalRows, report);
    }

    private static async Task CancelQuietly(NpgsqlRawCopyStream copy)
    {
        try
        {
            await copy.CancelAsync();
            await copy.DisposeAsync();
        }
        catch (Exception)
        {
            // The original failure matters more; a broken connection is the caller's to discard.
        }
    }

    /// <summary>Converts every row without a database (for <c>datasets validate</c>) and fills <paramref name="report"/>.</summary>
    public static ValidationReport Validate(ColumnPlan plan, IRowSource rows, ValidationReport report, IngestOptions? options = null, CancellationToken cancellationToken = default)
    {
        plan.EnsureResolved();
        ConvertRows(plan, rows, report, options ?? IngestOptions.Default, default(DiscardSink), cancellationToken);
        return report;
    }

    /// <summary>
    /// The whole check of a source file without a database: open, plan (dataset.json fields and time
    /// zone), infer types in a first pass, convert every value in a second.
    /// </summary>
    public static (ColumnPlan Plan, ValidationReport Report) Validate(string path, DatasetDefinition definition, IngestOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= IngestOptions.Default;
        var plan = Plan(path, definition, options, cancellationToken);
        using var rows = RowSource.Open(path, definition.Source, options);
        var report = Validate(plan, rows, new ValidationReport(plan, options), options, cancellationToken);
        return (plan, report);
    }

    /// <summary>First pass: the column plan of a source file with every type resolved (declared or inferred).</summary>
    public static ColumnPlan Plan(string path, DatasetDefinition definition, IngestOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= IngestOptions.Default;
        using var rows = RowSource.Open(path, definition.Source, options);
        var plan = ColumnPlan.Create(rows.Headers, definition, options);
        return TypeInference.Infer(plan, rows, options, cancellationToken);
    }

    private static void ConvertRows<TSink>(ColumnPlan plan, IRowSource rows, ValidationReport report, IngestOptions options, TSink sink, CancellationToken cancellationToken)
        where TSink : struct, IValueSink
    {
        // Per-column facts in flat arrays: the loop below runs rows × columns times.
        int count = plan.Columns.Count;
        var types = new FieldType[count];
        var sources = new int[count];
        var required = new bool[count];
        var formats = new string?[count];
        for (int i = 0; i < count; i++)
        {
            var c = plan.Columns[i];
            types[i] = c.Type;
            sources[i] = c.SourceIndex;
            required[i] = c.Required;
            formats[i] = string.IsNullOrEmpty(c.Format) ? null : c.Format;
        }

        var nulls = new NullPolicy(options);
        var zone = plan.TimeZone;
        bool writing = report.IsValid;
        while (rows.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool rowAccepted = true;
            if (writing)
            {
                sink.StartRow();
                sink.Write(rows.DataRowIndex);
            }

            for (int c = 0; c < count; c++)
            {
                var raw = rows.GetValue(sources[c]);
                var value = raw.Trim();
                string? reason = null;
                if (nulls.IsNull(value))
                {
                    if (required[c])
                    {
                        reason = "required value missing";
                    }
                    else
                    {
                        report.CountNull(c);
                        if (writing)
                        {
                            sink.WriteNull();
                        }

                        continue;
                    }
                }
                else
                {
                    switch (types[c])
                    {
                        case FieldType.Integer:
                            if (ValueParser.TryParseInt32(value, out int i32, out reason) && writing)
                            {
                                sink.Write(i32);
                            }

                            break;
                        case FieldType.BigInt:
                            if (ValueParser.TryParseInt64(value, out long i64, out reason) && writing)
                            {
                                sink.Write(i64);
                            }

                            break;
                        case FieldType.Decimal:
                            if (ValueParser.TryParseDecimal(value, out decimal dec, out reason) && writing)
                            {
                                sink.Write(dec);
                            }

                            break;
                        case FieldType.Double:
                            if (ValueParser.TryParseDouble(value, out double dbl, out reason) && writing)
                            {
                                sink.Write(dbl);
                            }

                            break;
                        case FieldType.Boolean:
                            if (ValueParser.TryParseBoolean(value, out bool b))
                            {
                                if (writing)
                                {
                                    sink.Write(b);
                                }
                            }
                            else
                            {
                                reason = NotABoolean;
                            }

                            break;
                        case FieldType.Date:
                            reason = ConvertDate(value, formats[c], out var date);
                            if (reason is null && writing)
                            {
                                sink.Write(date);
                            }

                            break;
                        case FieldType.Timestamp:
                            reason = ConvertTimestamp(value, formats[c], zone, out var instant);
                            if (reason is null && writing)
                            {
                                sink.Write(instant);
                            }

                            break;
                        default:
                            if (raw.Contains('\0'))
                            {
                                reason = "contains a NUL character, which PostgreSQL text cannot store";
                            }
                            else if (writing)
                            {
                                sink.WriteText(raw);
                            }

                            break;
                    }
                }

                if (reason is not null)
                {
                    report.Reject(rows.RowNumber, c, raw, reason);
                    rowAccepted = false;
                    writing = false;
                }
            }

            report.CountRow(rowAccepted);
        }
    }

    internal static string? ConvertDate(ReadOnlySpan<char> value, string? format, out DateOnly date)
    {
        if (format is not null)
        {
            return ValueParser.TryParseDateExact(value, format, out date) ? null : $"not a date in the format {format}";
        }

        return ValueParser.ParseDate(value, out date) switch
        {
            ParseStatus.Ok => null,
            ParseStatus.InvalidValue => $"invalid date {value}",
            _ => "not a date (expected yyyy-MM-dd, yyyy/MM/dd or yyyy年M月d日)",
        };
    }

    internal static string? ConvertTimestamp(ReadOnlySpan<char> value, string? format, TimeSpan zone, out DateTime instant)
    {
        if (format is not null)
        {
            return ValueParser.TryParseTimestampExact(value, format, zone, out instant) ? null : $"not a timestamp in the format {format}";
        }

        return ValueParser.ParseTimestamp(value, zone, out instant) switch
        {
            ParseStatus.Ok => null,
            ParseStatus.InvalidValue => $"invalid timestamp {value}",
            _ => "not a timestamp (expected yyyy-MM-dd HH:mm[:ss], ISO 8601 with optional offset)",
        };
    }

    /// <summary>Where converted values go; a struct so the generic loop is specialised and the calls inlined.</summary>
    private interface IValueSink
    {
        void StartRow();

        void WriteNull();

        void Write(int value);

        void Write(long value);

        void Write(decimal value);

        void Write(double value);

        void Write(bool value);

        void Write(DateOnly value);

        /// <summary>A UTC instant for timestamptz.</summary>
        void Write(DateTime value);

        void WriteText(ReadOnlySpan<char> value);
    }

    private readonly struct DiscardSink : IValueSink
    {
        public void StartRow()
        {
        }

        public void WriteNull()
        {
        }

        public void Write(int value)
        {
        }

        public void Write(long value)
        {
        }

        public void Write(decimal value)
        {
        }

        public void Write(double value)
        {
        }

        public void Write(bool value)
        {
        }

        public void Write(DateOnly value)
        {
        }

        public void Write(DateTime value)
        {
        }

        public void WriteText(ReadOnlySpan<char> value)
        {
        }
    }

    private readonly struct CopySink(PgBinaryCopyWriter writer, short fieldCount) : IValueSink
    {
        public void StartRow() => writer.StartRow(fieldCount);

        public void WriteNull() => writer.WriteNull();

        public void Write(int value) => writer.Write(value);

        public void Write(long value) => writer.Write(value);

        public void Write(decimal value) => writer.Write(value);

        public void Write(double value) => writer.Write(value);

        public void Write(bool value) => writer.Write(value);

        public void Write(DateOnly value) => writer.Write(value);

        public void Write(DateTime value) => writer.WriteTimestamp(value);

        public void WriteText(ReadOnlySpan<char> value) => writer.WriteText(value);
    }
}
