using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query;

/// <summary>
/// Keyset cursors: URL-safe base64 of <c>{"h":"&lt;query hash&gt;","k":[order key values…, _row_id]}</c>.
/// The hash covers the table, the filter and the order, so a cursor only works for the query that made it.
/// Cursors are not signed: a forged one can only move the page start, because values are typed and bound as parameters.
/// </summary>
internal static class Cursor
{
    private const int MaxLength = 4096;

    public static string Hash(string text)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Base64Url.EncodeToString(bytes.AsSpan(0, 9));
    }

    public static string Encode(string hash, IReadOnlyList<FieldType?> types, IReadOnlyList<object?> values)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("h", hash);
            json.WriteStartArray("k");
            for (var i = 0; i < values.Count; i++)
            {
                WriteValue(json, Normalize(types[i], values[i]));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.ToArray());
    }

    /// <summary>Decodes and checks a cursor; types null means the bigint <c>_row_id</c>.</summary>
    public static object?[] Decode(string cursor, string hash, IReadOnlyList<FieldType?> types)
    {
        if (cursor.Length > MaxLength)
        {
            throw Bad("The cursor is too long.");
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            throw Bad("The cursor is not URL-safe base64.");
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("h", out var h) || h.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("k", out var k) || k.ValueKind != JsonValueKind.Array)
            {
                throw Bad("The cursor is malformed.");
            }

            if (h.GetString() != hash)
            {
                throw Bad("The cursor belongs to a different query (filter, order or dataset version changed); start again from the first page.");
            }

            if (k.GetArrayLength() != types.Count)
            {
                throw Bad("The cursor does not match the order of this query.");
            }

            var values = new object?[types.Count];
            var i = 0;
            foreach (var element in k.EnumerateArray())
            {
                values[i] = ReadValue(element, types[i]) ?? (types[i] is null ? throw Bad("The cursor has no row position.") : null);
                i++;
            }

            return values;
        }
        catch (JsonException)
        {
            throw Bad("The cursor is not valid JSON.");
        }
    }

    /// <summary>Accepts what NpgsqlDataReader.GetValue returns (int, DateTime, DBNull, …) as well as the query model's types.</summary>
    public static object? Normalize(FieldType? type, object? value) => (type, value) switch
    {
        (_, null or DBNull) => null,
        (null or FieldType.Integer or FieldType.BigInt, int or long or short) => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        (FieldType.Decimal, decimal or int or long) => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        (FieldType.Double, double or float) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        (FieldType.Date, DateTime d) => DateOnly.FromDateTime(d),
        (FieldType.Date, DateOnly d) => d,
        (FieldType.Timestamp, DateTime d) => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        (FieldType.Timestamp, DateTimeOffset d) => d.ToUniversalTime(),
        (FieldType.Boolean, bool b) => b,
        (FieldType.Text, string s) => s,
        _ => throw new ArgumentException($"A {value.GetType().Name} is not a value of a {type?.ToName() ?? "row id"} column."),
    };

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case long l: json.WriteNumberValue(l); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            case decimal d: json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case double d: json.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case DateOnly d: json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset d: json.WriteStringValue(d.ToString("O", CultureInfo.InvariantCulture)); break;
            default: throw new ArgumentException($"Cannot put a {value.GetType().Name} into a cursor.");
        }
    }

    private static object? ReadValue(JsonElement e, FieldType? type)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = e.ValueKind == JsonValueKind.String ? e.GetString()! : null;
        object? value = type switch
        {
            null or FieldType.Integer or FieldType.BigInt when e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var l) => l,
            FieldType.Text when text is not null => text,
            FieldType.Boolean when e.ValueKind is JsonValueKind.True or JsonValueKind.False => e.GetBoolean(),
            FieldType.Decimal when text is not null && Literals.TryParseDecimal(text, out var d) => d,
            FieldType.Double when text is not null && Literals.TryParseDouble(text, out var d) => d,
            FieldType.Date when text is not null && Literals.TryParseDate(text, out var d) => d,
            FieldType.Timestamp when text is not null && DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) => t,
            _ => null,
        };

        return value ?? throw Bad($"The cursor holds a value that is not {type?.ToName() ?? "a row id"}.");
    }

    private static QueryException Bad(string message) => new(QueryErrorCodes.BadCursor, message, "after");
}
