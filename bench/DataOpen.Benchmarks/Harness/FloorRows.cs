using System.Runtime.CompilerServices;
using System.Text.Json;
using DataOpen.Core.Query;
using Npgsql;

namespace DataOpen.Benchmarks.Harness;

/// <summary>
/// How a floor writes rows: the least work there is. Column names are encoded once, each column's type is read
/// from the first reader and every value is read with its typed getter (no boxing), straight into the writer.
/// </summary>
public sealed class FloorRows
{
    private enum Kind { Other, Int16, Int32, Int64, Decimal, Double, Boolean, Text, Timestamp, Date }

    private static readonly ConditionalWeakTable<CompiledQuery, FloorRows> ByQuery = new();

    private readonly (JsonEncodedText Name, int Ordinal)[] visible;
    private Kind[]? kinds;

    /// <summary>A writer of the columns at <paramref name="ordinals"/>, named <paramref name="names"/>.</summary>
    public FloorRows(IEnumerable<string> names, IEnumerable<int> ordinals) =>
        visible = names.Zip(ordinals, (n, o) => (JsonEncodedText.Encode(n), o)).ToArray();

    /// <summary>The writer of a compiled query's visible columns, kept with the query.</summary>
    public static FloorRows Of(CompiledQuery compiled) => ByQuery.GetValue(compiled, c =>
    {
        var shown = c.Columns.Select((col, i) => (col, i)).Where(x => !x.col.Hidden).ToList();
        return new FloorRows(shown.Select(x => x.col.Name), shown.Select(x => x.i));
    });

    /// <summary>Writes up to <paramref name="max"/> rows of <paramref name="r"/>, one JSON object each.</summary>
    public async Task WriteAsync(Utf8JsonWriter json, NpgsqlDataReader r, int max, CancellationToken ct)
    {
        var count = 0;
        while (count < max && await r.ReadAsync(ct))
        {
            var k = kinds ??= KindsOf(r);
            json.WriteStartObject();
            foreach (var (name, i) in visible)
            {
                json.WritePropertyName(name);
                if (r.IsDBNull(i))
                {
                    json.WriteNullValue();
                    continue;
                }

                switch (k[i])
                {
                    case Kind.Int16: json.WriteNumberValue(r.GetInt16(i)); break;
                    case Kind.Int32: json.WriteNumberValue(r.GetInt32(i)); break;
                    case Kind.Int64: json.WriteNumberValue(r.GetInt64(i)); break;
                    case Kind.Decimal: json.WriteNumberValue(r.GetDecimal(i)); break;
                    case Kind.Double: json.WriteNumberValue(r.GetDouble(i)); break;
                    case Kind.Boolean: json.WriteBooleanValue(r.GetBoolean(i)); break;
                    case Kind.Text: json.WriteStringValue(r.GetString(i)); break;
                    case Kind.Timestamp: json.WriteStringValue(r.GetDateTime(i)); break;
                    case Kind.Date: json.WriteStringValue(r.GetFieldValue<DateOnly>(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)); break;
                    default: json.WriteStringValue(Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)); break;
                }
            }

            json.WriteEndObject();
            count++;
        }
    }

    private static Kind[] KindsOf(NpgsqlDataReader r) => Enumerable.Range(0, r.FieldCount).Select(i => r.GetFieldType(i) switch
    {
        var t when t == typeof(short) => Kind.Int16,
        var t when t == typeof(int) => Kind.Int32,
        var t when t == typeof(long) => Kind.Int64,
        var t when t == typeof(decimal) => Kind.Decimal,
        var t when t == typeof(double) => Kind.Double,
        var t when t == typeof(bool) => Kind.Boolean,
        var t when t == typeof(string) => Kind.Text,
        var t when t == typeof(DateTime) => Kind.Timestamp,
        var t when t == typeof(DateOnly) => Kind.Date,
        _ => Kind.Other,
    }).ToArray();
}
