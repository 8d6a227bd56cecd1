using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataOpen.Core.Catalog;

/// <summary>Text in Chinese (required) and English (optional).</summary>
public sealed record Localized(string Zh, string? En = null)
{
    public string In(string language) => language.StartsWith("en", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(En) ? En : Zh;
}

public sealed record LocalizedList(IReadOnlyList<string> Zh, IReadOnlyList<string>? En = null);

public sealed record ContactPoint(string? Name = null, string? Email = null, string? Phone = null);

public sealed record TemporalCoverage(string Start, string? End = null);

public sealed record SourceSpec(string File, string? Format = null, string? Encoding = null, string? Sheet = null, string? Delimiter = null)
{
    /// <summary>csv, xlsx or jsonl; taken from the file extension when not stated.</summary>
    [JsonIgnore]
    public string EffectiveFormat => Format ?? System.IO.Path.GetExtension(File).TrimStart('.').ToLowerInvariant() switch
    {
        "xlsx" => "xlsx",
        "jsonl" or "ndjson" => "jsonl",
        _ => "csv",
    };
}

public sealed record GeoSpec(string Longitude, string Latitude);

public sealed record FieldSpec(
    string Name,
    string? Source = null,
    Localized? Title = null,
    string? Description = null,
    string? Type = null,
    string? Unit = null,
    string? ValueDomain = null,
    string? Sensitivity = null,
    bool? Required = null,
    string? Format = null,
    bool? Index = null,
    bool? Search = null);

/// <summary>
/// A composite index declared in dataset.json (<c>indexes</c>): its fields in order, a leading <c>-</c> for descending
/// (e.g. <c>["station", "-measured_at"]</c>). The publish appends <c>_row_id</c> in the direction the keyset order uses.
/// </summary>
public sealed record IndexDeclaration(IReadOnlyList<string> Fields);

/// <summary>The contents of a dataset.json file (目录元数据). Validated against dataset.schema.json before it is read.</summary>
public sealed record DatasetDefinition(
    string Identifier,
    Localized Title,
    Localized Description,
    string Publisher,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Themes,
    LocalizedList Keywords,
    string OpenClass,
    string UpdateFrequency,
    string Issued,
    string License,
    string SecurityGrade,
    SourceSpec Source,
    ContactPoint? ContactPoint = null,
    Localized? OpenConditions = null,
    TemporalCoverage? TemporalCoverage = null,
    Localized? SpatialCoverage = null,
    string? TimeZone = null,
    GeoSpec? Geo = null,
    IReadOnlyList<FieldSpec>? Fields = null,
    IReadOnlyList<IndexDeclaration>? Indexes = null,
    [property: JsonConverter(typeof(StringOrArrayConverter))] IReadOnlyList<string>? PrimaryKey = null)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>
/// Reads a Frictionless-style "one name or several" value (<c>"id"</c> or <c>["station", "day"]</c>) as a list; writes a list.
/// </summary>
public sealed class StringOrArrayConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => [reader.GetString()!],
        _ => JsonSerializer.Deserialize<List<string>>(ref reader, options),
    };

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var v in value)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }
}

public static class OpenClasses
{
    public const string Unconditional = "unconditional";
    public const string Conditional = "conditional";
    public const string NotOpen = "not-open";

    /// <summary>DCAT dct:accessRights vocabulary (EU access-right authority list).</summary>
    public static string ToAccessRights(string openClass) => openClass switch
    {
        Unconditional => "PUBLIC",
        Conditional => "RESTRICTED",
        _ => "NON_PUBLIC",
    };
}
