using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.OData;

public enum MetadataLevel
{
    Minimal,
    Full,
    None,
}

/// <summary>The JSON flavour a client asked for with <c>$format</c> or <c>Accept</c> (<c>odata.metadata</c>, <c>IEEE754Compatible</c>).</summary>
/// <remarks><see cref="Json"/> chooses the $metadata document (CSDL JSON or XML); <see cref="XmlRequested"/> is an explicit <c>$format=xml</c>, which only $metadata can honour.</remarks>
public sealed record ODataFormat(MetadataLevel Level, bool Ieee754Compatible, bool Json, bool XmlRequested = false)
{
    public static readonly ODataFormat Default = new(MetadataLevel.Minimal, false, false);

    public string ContentType =>
        $"application/json;odata.metadata={Level.ToString().ToLowerInvariant()};odata.streaming=true;IEEE754Compatible={(Ieee754Compatible ? "true" : "false")};charset=utf-8";

    /// <summary>Reads <c>$format</c> (json, xml, or a media type with parameters) or else the Accept header.</summary>
    public static ODataFormat From(HttpRequest request)
    {
        var format = request.Query["$format"].ToString();
        if (format.Length > 0)
        {
            var parts = format.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var type = parts.Length == 0 ? "" : parts[0].ToLowerInvariant();
            var json = type switch
            {
                "json" or "application/json" => true,
                "xml" or "application/xml" => false,
                _ => throw ODataRequestException.BadRequest(ODataErrorCodes.Unsupported, $"$format '{format}' is not supported; use json (or application/json;odata.metadata=minimal|full|none), or xml for $metadata.", "$format"),
            };
            return Parse(parts.Skip(1), json) with { XmlRequested = !json };
        }

        var accept = request.Headers.Accept.ToString();
        var ranges = accept.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var jsonRange = ranges.FirstOrDefault(r => r.StartsWith("application/json", StringComparison.OrdinalIgnoreCase));
        var wantsJson = jsonRange is not null && !ranges.Any(r => r.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase));
        return jsonRange is null ? Default with { Json = wantsJson } : Parse(jsonRange.Split(';', StringSplitOptions.TrimEntries).Skip(1), wantsJson);
    }

    private static ODataFormat Parse(IEnumerable<string> parameters, bool json)
    {
        var level = MetadataLevel.Minimal;
        var ieee = false;
        foreach (var p in parameters)
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            var (name, value) = (p[..eq].Trim(), p[(eq + 1)..].Trim().Trim('"'));
            if (name.Equals("odata.metadata", StringComparison.OrdinalIgnoreCase))
            {
                level = value.ToLowerInvariant() switch
                {
                    "minimal" => MetadataLevel.Minimal,
                    "full" => MetadataLevel.Full,
                    "none" => MetadataLevel.None,
                    _ => throw ODataRequestException.BadRequest(ODataErrorCodes.Unsupported, $"odata.metadata={value} is not supported; use minimal, full or none.", "$format"),
                };
            }
            else if (name.Equals("IEEE754Compatible", StringComparison.OrdinalIgnoreCase))
            {
                ieee = value.Equals("true", StringComparison.OrdinalIgnoreCase);
            }
        }

        return new ODataFormat(level, ieee, json);
    }
}

/// <summary>Writes OData JSON values and errors with <see cref="Utf8JsonWriter"/> straight into the response pipe.</summary>
public static class ODataJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>Unflushed bytes after which rows are pushed to the client.</summary>
    public const int FlushThreshold = 64 * 1024;

    public static Utf8JsonWriter CreateWriter(PipeWriter pipe) => new(pipe, WriterOptions);

    /// <summary>A value per the OData JSON format: Int64/Decimal as strings when IEEE754Compatible, NaN/INF as strings, Date as yyyy-MM-dd.</summary>
    public static void WriteValue(Utf8JsonWriter json, object? value, bool ieee754)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case short s:
                json.WriteNumberValue(s);
                break;
            case long l:
                WriteInt64(json, l, ieee754);
                break;
            case decimal d:
                WriteDecimal(json, d, ieee754);
                break;
            case double d:
                WriteDouble(json, d);
                break;
            case float f:
                WriteDouble(json, f);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case DateOnly d:
                WriteDate(json, d);
                break;
            case DateTimeOffset t:
                WriteTimestamp(json, t);
                break;
            case DateTime t:
                WriteTimestamp(json, new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)));
                break;
            case TimeOnly t:
                json.WriteStringValue(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'));
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>
    /// The value of column <paramref name="ordinal"/> of the current row, written as <see cref="WriteValue(Utf8JsonWriter, object?, bool)"/>
    /// writes the same value, but read with its typed getter and never boxed.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter json, ResultRow row, int ordinal, bool ieee754)
    {
        if (row.IsNull(ordinal))
        {
            json.WriteNullValue();
            return;
        }

        switch (row.Kind(ordinal))
        {
            case ValueKind.Int32:
                json.WriteNumberValue(row.GetInt32(ordinal));
                break;
            case ValueKind.Int64:
                WriteInt64(json, row.GetInt64(ordinal), ieee754);
                break;
            case ValueKind.Decimal:
                WriteDecimal(json, row.GetDecimal(ordinal), ieee754);
                break;
            case ValueKind.Double:
                WriteDouble(json, row.GetDouble(ordinal));
                break;
            case ValueKind.Boolean:
                json.WriteBooleanValue(row.GetBoolean(ordinal));
                break;
            case ValueKind.Text:
                json.WriteStringValue(row.GetString(ordinal));
                break;
            case ValueKind.Date:
                WriteDate(json, row.GetDate(ordinal));
                break;
            case ValueKind.Timestamp:
                WriteTimestamp(json, row.GetTimestamp(ordinal));
                break;
            default:
                WriteValue(json, row.GetValue(ordinal), ieee754);
                break;
        }
    }

    private static void WriteInt64(Utf8JsonWriter json, long value, bool ieee754)
    {
        if (ieee754)
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNumberValue(value);
        }
    }

    private static void WriteDecimal(Utf8JsonWriter json, decimal value, bool ieee754)
    {
        if (ieee754)
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNumberValue(value);
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "INF" : "-INF");
        }
    }

    /// <summary>yyyy-MM-dd, hand-formatted: a custom format string costs more than the rest of the row on large walks.</summary>
    private static void WriteDate(Utf8JsonWriter json, DateOnly value)
    {
        Span<byte> date = stackalloc byte[10];
        Digits(date[..4], value.Year);
        date[4] = (byte)'-';
        Digits(date.Slice(5, 2), value.Month);
        date[7] = (byte)'-';
        Digits(date.Slice(8, 2), value.Day);
        json.WriteStringValue(date);
    }

    /// <summary>ISO 8601 in UTC with "Z" and without a zero fraction.</summary>
    private static void WriteTimestamp(Utf8JsonWriter json, DateTimeOffset value) => json.WriteStringValue(value.UtcDateTime);

    private static void Digits(Span<byte> target, int value)
    {
        for (var i = target.Length - 1; i >= 0; i--)
        {
            target[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>The <c>@odata.type</c> annotation a full-metadata response gives values JSON cannot tell apart.</summary>
    public static string? TypeAnnotation(FieldType type) => type switch
    {
        FieldType.BigInt => "#Int64",
        FieldType.Decimal => "#Decimal",
        FieldType.Date => "#Date",
        FieldType.Timestamp => "#DateTimeOffset",
        _ => null,
    };

    /// <summary>Writes <c>{"error":{"code","message","target","details"}}</c> with the status of the error.</summary>
    public static async Task WriteErrorAsync(HttpContext http, ODataRequestException error)
    {
        http.Response.StatusCode = error.Status;
        http.Response.Headers["OData-Version"] = "4.0";
        http.Response.ContentType = "application/json;odata.metadata=minimal;charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("code", error.Code);
            json.WriteString("message", error.Message);
            if (error.Target is not null)
            {
                json.WriteString("target", error.Target);
            }

            json.WriteStartArray("details");
            foreach (var d in error.Details)
            {
                json.WriteStartObject();
                json.WriteString("code", error.Code);
                json.WriteString("message", d);
                if (error.Target is not null)
                {
                    json.WriteString("target", error.Target);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await http.Response.Body.WriteAsync(buffer.ToArray());
    }

    /// <summary>An OData key literal: integers bare, strings quoted with doubled quotes, then URL-escaped.</summary>
    public static string KeyLiteral(object? value) => value switch
    {
        long or int => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => Uri.EscapeDataString("'" + Convert.ToString(value, CultureInfo.InvariantCulture)!.Replace("'", "''", StringComparison.Ordinal) + "'"),
    };

    /// <summary>A key value read from a row, as an OData literal of its field type (dates and timestamps bare, ISO 8601).</summary>
    public static string KeyLiteral(object value, FieldType type) => (type, value) switch
    {
        (FieldType.Date, DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        (FieldType.Date, DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        (FieldType.Timestamp, DateTime t) => Uri.EscapeDataString(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture)),
        (FieldType.Timestamp, DateTimeOffset t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture)),
        (_, bool b) => b ? "true" : "false",
        (FieldType.Integer or FieldType.BigInt or FieldType.Decimal, _) => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => KeyLiteral(value),
    };

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
