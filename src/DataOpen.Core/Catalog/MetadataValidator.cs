using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace DataOpen.Core.Catalog;

/// <summary>One violation of dataset.json: where (a JSON path such as <c>$.fields[2].type</c>) and what.</summary>
public sealed record MetadataViolation(string Path, string Message);

/// <summary>The result of reading a dataset.json: either a definition or every violation.</summary>
public sealed record MetadataReadResult(DatasetDefinition? Definition, IReadOnlyList<MetadataViolation> Violations)
{
    public bool IsValid => Definition is not null && Violations.Count == 0;
}

/// <summary>
/// Validates dataset.json documents against the committed JSON Schema (dataset.schema.json, embedded)
/// and lists every violation by JSON path, not just the first.
/// </summary>
public static class MetadataValidator
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(MetadataValidator).Assembly.GetManifestResourceStream("DataOpen.Core.dataset.schema.json")!;
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    /// <summary>The schema text, as served at /api/v1/schemas/dataset.json.</summary>
    public static string SchemaText
    {
        get
        {
            using var stream = typeof(MetadataValidator).Assembly.GetManifestResourceStream("DataOpen.Core.dataset.schema.json")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    public static MetadataReadResult Read(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return new(null, [new("$", $"not valid JSON: {ex.Message}")]);
        }

        if (node is null)
        {
            return new(null, [new("$", "the document is empty (null)")]);
        }

        using var doc = JsonDocument.Parse(node.ToJsonString());
        var results = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var violations = new List<MetadataViolation>();
            foreach (var detail in (results.Details ?? []).Prepend(results))
            {
                // Failures inside "if" only choose a branch; they are not violations.
                if (detail.Errors is null || detail.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var (keyword, message) in detail.Errors)
                {
                    var v = new MetadataViolation(ToJsonPath(detail.InstanceLocation.ToString()), $"{message} ({keyword})");
                    if (!violations.Contains(v))
                    {
                        violations.Add(v);
                    }
                }
            }

            if (violations.Count == 0)
            {
                violations.Add(new("$", "the document does not match dataset.schema.json"));
            }

            return new(null, violations);
        }

        var definition = node.Deserialize<DatasetDefinition>(DatasetDefinition.JsonOptions)!;
        var semantic = CheckSemantics(definition);
        return semantic.Count == 0 ? new(definition, []) : new(null, semantic);
    }

    public static MetadataReadResult ReadFile(string path) =>
        File.Exists(path) ? Read(File.ReadAllText(path)) : new(null, [new("$", $"file not found: {path}")]);

    /// <summary>Rules JSON Schema cannot say: unique field names and geo fields that exist.</summary>
    private static List<MetadataViolation> CheckSemantics(DatasetDefinition d)
    {
        var violations = new List<MetadataViolation>();
        var fields = d.Fields ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            if (!seen.Add(fields[i].Name))
            {
                violations.Add(new($"$.fields[{i}].name", $"duplicate field name '{fields[i].Name}'"));
            }
        }

        if (d.Geo is { } geo)
        {
            foreach (var (prop, name) in new[] { ("longitude", geo.Longitude), ("latitude", geo.Latitude) })
            {
                if (fields.Count > 0 && !seen.Contains(name))
                {
                    violations.Add(new($"$.geo.{prop}", $"field '{name}' is not declared in fields"));
                }
            }
        }

        if (d.TemporalCoverage is { End: { } end } tc && string.CompareOrdinal(end, tc.Start) < 0)
        {
            violations.Add(new("$.temporalCoverage.end", "end is before start"));
        }

        return violations;
    }

    /// <summary>JSON Pointer (/fields/2/type) → JSON path ($.fields[2].type).</summary>
    public static string ToJsonPath(string pointer)
    {
        if (string.IsNullOrEmpty(pointer) || pointer == "/" || pointer == "#")
        {
            return "$";
        }

        var sb = new System.Text.StringBuilder("$");
        foreach (var raw in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (int.TryParse(part, out var index))
            {
                sb.Append('[').Append(index).Append(']');
            }
            else
            {
                sb.Append('.').Append(part);
            }
        }

        return sb.ToString();
    }
}
