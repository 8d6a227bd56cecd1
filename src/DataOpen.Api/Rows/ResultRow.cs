using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Npgsql;

namespace DataOpen.Api.Rows;

/// <summary>How a column of a result is read: the CLR type its values come as.</summary>
public enum ValueKind
{
    /// <summary>Anything else, read with <see cref="NpgsqlDataReader.GetValue"/>.</summary>
    Other,
    Int32,
    Int64,
    Decimal,
    Double,
    Boolean,
    Text,

    /// <summary>A date, as <see cref="DateOnly"/>.</summary>
    Date,

    /// <summary>A timestamp, as a UTC <see cref="DateTimeOffset"/>.</summary>
    Timestamp,
}

/// <summary>
/// The current row of a running query (<see cref="QueryRunner.ReadRowsAsync"/>), read in place with typed
/// getters, in <see cref="CompiledQuery.Columns"/> order (hidden columns included). Valid only until the
/// query moves to its next row; <see cref="ToArray"/> keeps a copy.
/// </summary>
public sealed class ResultRow
{
    private readonly NpgsqlDataReader reader;
    private readonly ValueKind[] kinds;

    internal ResultRow(NpgsqlDataReader reader, CompiledQuery query)
    {
        this.reader = reader;
        kinds = new ValueKind[reader.FieldCount];
        for (var i = 0; i < kinds.Length; i++)
        {
            kinds[i] = KindOf(i < query.Columns.Count ? query.Columns[i].Type : null, reader.GetFieldType(i));
        }
    }

    public int Width => kinds.Length;

    public ValueKind Kind(int ordinal) => kinds[ordinal];

    public bool IsNull(int ordinal) => reader.IsDBNull(ordinal);

    public int GetInt32(int ordinal) => reader.GetInt32(ordinal);

    public long GetInt64(int ordinal) => reader.GetInt64(ordinal);

    public decimal GetDecimal(int ordinal) => reader.GetDecimal(ordinal);

    public double GetDouble(int ordinal) => reader.GetDouble(ordinal);

    public bool GetBoolean(int ordinal) => reader.GetBoolean(ordinal);

    public string GetString(int ordinal) => reader.GetString(ordinal);

    public DateOnly GetDate(int ordinal) => reader.GetFieldValue<DateOnly>(ordinal);

    /// <summary>A timestamp with its offset (UTC for timestamptz, which every dataset timestamp is).</summary>
    public DateTimeOffset GetTimestamp(int ordinal) => new(reader.GetFieldValue<DateTime>(ordinal));

    /// <summary>The value boxed, as <see cref="Kind"/> says (not null-checked: ask <see cref="IsNull"/> first).</summary>
    public object GetValue(int ordinal) => kinds[ordinal] switch
    {
        ValueKind.Int32 => GetInt32(ordinal),
        ValueKind.Int64 => GetInt64(ordinal),
        ValueKind.Decimal => GetDecimal(ordinal),
        ValueKind.Double => GetDouble(ordinal),
        ValueKind.Boolean => GetBoolean(ordinal),
        ValueKind.Text => GetString(ordinal),
        ValueKind.Date => GetDate(ordinal),
        ValueKind.Timestamp => GetTimestamp(ordinal),
        _ => reader.GetValue(ordinal),
    };

    /// <summary>A copy of the row's values (null for SQL NULL).</summary>
    public object?[] ToArray()
    {
        var values = new object?[kinds.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = IsNull(i) ? null : GetValue(i);
        }

        return values;
    }

    /// <summary>
    /// How to read a column: dates as DateOnly and timestamps as UTC DateTimeOffset whatever Npgsql's
    /// default CLR type; other values by the typed getter of the type the server sent (an aggregate's
    /// type is the server's to choose), which costs less than <see cref="NpgsqlDataReader.GetValue"/>.
    /// </summary>
    private static ValueKind KindOf(FieldType? declared, Type sent) => declared switch
    {
        FieldType.Date => ValueKind.Date,
        FieldType.Timestamp => ValueKind.Timestamp,
        _ when sent == typeof(int) => ValueKind.Int32,
        _ when sent == typeof(long) => ValueKind.Int64,
        _ when sent == typeof(decimal) => ValueKind.Decimal,
        _ when sent == typeof(double) => ValueKind.Double,
        _ when sent == typeof(bool) => ValueKind.Boolean,
        _ when sent == typeof(string) => ValueKind.Text,
        _ => ValueKind.Other,
    };
}
