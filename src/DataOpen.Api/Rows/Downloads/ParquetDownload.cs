using System.Globalization;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Parquet;
using Parquet.Schema;

namespace DataOpen.Api.Rows.Downloads;

/// <summary>The Parquet download.</summary>
public static class ParquetDownload
{
    /// <summary>Rows per Parquet row group: large enough for good compression, small enough to hold in memory.</summary>
    public const int RowGroupSize = 50_000;


    /// <summary>Decimal columns are DECIMAL(38, 8) in Parquet: every sample value fits; more fractional digits are rounded.</summary>
    public const int ParquetDecimalScale = 8;

    /// <summary>
    /// Parquet in row groups of <see cref="RowGroupSize"/> rows: one group's column arrays are
    /// the only rows held in memory. Timestamps are INT64 microseconds adjusted to UTC; dates are DATE.
    /// </summary>
    public static async Task WriteAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, CancellationToken ct)
    {
        var visible = DownloadFormats.VisibleOrdinals(columns);
        var fields = visible.Select(i => ParquetField(columns[i])).ToArray();
        var schema = new ParquetSchema(fields);
        await using var chunk = new ChunkStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, chunk, cancellationToken: ct))
        {
            var group = visible.Select(i => ParquetColumn.For(columns[i].Type, RowGroupSize)).ToArray();
            var n = 0;
            var groups = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                for (var c = 0; c < visible.Length; c++)
                {
                    group[c].Set(n, row[visible[c]]);
                }

                if (++n == RowGroupSize)
                {
                    await WriteRowGroupAsync(writer, fields, group, n, ct);
                    groups++;
                    n = 0;
                    await chunk.DrainAsync(output, ct);
                }
            }

            if (n > 0 || groups == 0)
            {
                await WriteRowGroupAsync(writer, fields, group, n, ct);
            }
        }

        await chunk.DrainAsync(output, ct);
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, DataField[] fields, ParquetColumn[] group, int count, CancellationToken ct)
    {
        using var rowGroup = writer.CreateRowGroup();
        for (var c = 0; c < fields.Length; c++)
        {
            await group[c].WriteAsync(rowGroup, fields[c], count, ct);
            group[c].Clear();
        }

        rowGroup.CompleteValidate();
    }

    private static DataField ParquetField(ResultColumn column) => column.Type switch
    {
        FieldType.Integer => new DataField<int?>(column.Name),
        FieldType.BigInt => new DataField<long?>(column.Name),
        FieldType.Decimal => new DecimalDataField(column.Name, 38, ParquetDecimalScale, isNullable: true),
        FieldType.Double => new DataField<double?>(column.Name),
        FieldType.Boolean => new DataField<bool?>(column.Name),
        FieldType.Date => new DataField<DateOnly?>(column.Name),
        FieldType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        _ => new DataField<string>(column.Name, nullable: true),
    };

    /// <summary>One row group's values of one column, typed so nothing is boxed on the way to the encoder.</summary>
    private abstract class ParquetColumn
    {
        public static ParquetColumn For(FieldType type, int size) => type switch
        {
            FieldType.Integer => new Values<int>(size, v => Convert.ToInt32(v, CultureInfo.InvariantCulture)),
            FieldType.BigInt => new Values<long>(size, v => Convert.ToInt64(v, CultureInfo.InvariantCulture)),
            FieldType.Decimal => new Values<decimal>(size, v => Math.Round(Convert.ToDecimal(v, CultureInfo.InvariantCulture), ParquetDecimalScale, MidpointRounding.ToEven)),
            FieldType.Double => new Values<double>(size, v => Convert.ToDouble(v, CultureInfo.InvariantCulture)),
            FieldType.Boolean => new Values<bool>(size, v => (bool)v),
            FieldType.Date => new Values<DateOnly>(size, v => (DateOnly)v),
            FieldType.Timestamp => new Values<DateTime>(size, v => v is DateTimeOffset t ? t.UtcDateTime : DateTime.SpecifyKind((DateTime)v, DateTimeKind.Utc)),
            _ => new Texts(size),
        };

        public abstract void Set(int index, object? value);

        public abstract Task WriteAsync(ParquetRowGroupWriter writer, DataField field, int count, CancellationToken ct);

        public abstract void Clear();
    }

    private sealed class Values<T>(int size, Func<object, T> convert) : ParquetColumn
        where T : struct
    {
        private readonly T?[] values = new T?[size];

        public override void Set(int index, object? value) => values[index] = value is null or DBNull ? null : convert(value);

        public override Task WriteAsync(ParquetRowGroupWriter writer, DataField field, int count, CancellationToken ct) =>
            writer.WriteAsync<T>(field, values.AsMemory(0, count), null, null, ct);

        public override void Clear() => Array.Clear(values);
    }

    private sealed class Texts(int size) : ParquetColumn
    {
        private readonly string?[] values = new string?[size];

        public override void Set(int index, object? value) => values[index] = value is null or DBNull ? null : value as string ?? ValueText.Format(value);

        public override Task WriteAsync(ParquetRowGroupWriter writer, DataField field, int count, CancellationToken ct) =>
            writer.WriteAsync(field, new ArraySegment<string?>(values, 0, count), null);

        public override void Clear() => Array.Clear(values);
    }
}
