using System.Text.Json;
using System.Text.Json.Serialization;
using DataOpen.Disclosure.Suppression;

namespace DataOpen.Disclosure.Tables;

/// <summary>Loads the declarative table definitions (seeds/statistics-tables.json) and protects all of them
/// as one system, so tables sharing margins are protected together.</summary>
public static class StatisticsTables
{
    public const string DefaultPath = "seeds/statistics-tables.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static IReadOnlyList<TableDefinition> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DisclosureException($"statistics table definitions: file '{path}' not found");
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static IReadOnlyList<TableDefinition> Parse(string json, string source = "statistics-tables.json")
    {
        DocumentDto? doc;
        try
        {
            doc = JsonSerializer.Deserialize<DocumentDto>(json, Options);
        }
        catch (JsonException e)
        {
            throw new DisclosureException($"{source}: invalid JSON at {e.Path ?? "?"} (line {e.LineNumber + 1}): {e.Message}", e);
        }
        if (doc?.Tables is null || doc.Tables.Count == 0)
        {
            throw new DisclosureException($"{source}: 'tables' is missing or empty");
        }
        var result = new List<TableDefinition>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < doc.Tables.Count; i++)
        {
            var t = doc.Tables[i];
            var where = $"{source}: tables[{i}]" + (t.Id is null ? "" : $" ('{t.Id}')");
            var unit = t.Unit switch
            {
                "enterprise" => UnitKind.Enterprise,
                "person" => UnitKind.Person,
                _ => throw new DisclosureException($"{where}: unit must be 'enterprise' or 'person', got '{t.Unit}'"),
            };
            var measure = t.Measure?.Kind switch
            {
                "count" when t.Measure.Field is null => MeasureDefinition.Count,
                "count" => throw new DisclosureException($"{where}: a count measure counts contributors and takes no field"),
                "sum" when !string.IsNullOrWhiteSpace(t.Measure.Field) => MeasureDefinition.SumOf(t.Measure.Field),
                "sum" => throw new DisclosureException($"{where}: a sum measure needs 'field'"),
                _ => throw new DisclosureException($"{where}: measure.kind must be 'count' or 'sum', got '{t.Measure?.Kind}'"),
            };
            var dims = (t.Dimensions ?? []).Select(d => new DimensionDefinition(d.Name ?? "", d.Field ?? "", d.Values, d.Title)).ToArray();
            SuppressionCost? cost = t.Cost switch
            {
                null => null,
                "value" => SuppressionCost.Value,
                "cells" => SuppressionCost.Count,
                _ => throw new DisclosureException($"{where}: cost must be 'value' (suppressed value) or 'cells' (number of cells), got '{t.Cost}'"),
            };
            var definition = new TableDefinition(t.Id ?? "", t.Source ?? "", dims, measure, t.ContributorKey ?? "", unit, t.Margins ?? true, t.Title, cost);
            try
            {
                definition.Validate();
            }
            catch (DisclosureException e)
            {
                throw new DisclosureException($"{where}: {e.Message}", e);
            }
            if (!ids.Add(definition.Id))
            {
                throw new DisclosureException($"{where}: id '{definition.Id}' is used by an earlier table");
            }
            result.Add(definition);
        }
        return result;
    }

    /// <summary>Builds every defined table from its source microdata and protects them together.</summary>
    public static ProtectedTables Protect(IReadOnlyList<TableDefinition> definitions, IReadOnlyDictionary<string, Microdata> sources,
        DisclosureParameters parameters) => DisclosureControl.Protect(Build(definitions, sources), parameters);

    /// <summary>Builds and protects the tables together with every version still published (issue 18); with
    /// <paramref name="rules"/> the joint audit's attacker knows the policy's caps too.</summary>
    public static ProtectedTables Protect(IReadOnlyList<TableDefinition> definitions, IReadOnlyDictionary<string, Microdata> sources,
        DisclosureParameters parameters, IReadOnlyList<PriorRelease> published, Synthetic.PolicyRules? rules = null) =>
        CrossRelease.Protect(Build(definitions, sources), parameters, published, rules);

    private static List<StatTable> Build(IReadOnlyList<TableDefinition> definitions, IReadOnlyDictionary<string, Microdata> sources) =>
        [.. definitions.Select(d => sources.TryGetValue(d.Source, out var data)
            ? TableBuilder.Build(d, data)
            : throw new DisclosureException($"table '{d.Id}': no microdata for source '{d.Source}' (have: {string.Join(", ", sources.Keys)})"))];

    private sealed class DocumentDto
    {
        public string? Description { get; set; }

        public List<TableDto>? Tables { get; set; }
    }

    private sealed class TableDto
    {
        public string? Id { get; set; }

        public string? Title { get; set; }

        public string? Source { get; set; }

        public string? Unit { get; set; }

        public string? ContributorKey { get; set; }

        public MeasureDto? Measure { get; set; }

        public List<DimensionDto>? Dimensions { get; set; }

        public bool? Margins { get; set; }

        /// <summary>"value" or "cells": the complementary-suppression cost of this table.</summary>
        public string? Cost { get; set; }
    }

    private sealed class MeasureDto
    {
        public string? Kind { get; set; }

        public string? Field { get; set; }
    }

    private sealed class DimensionDto
    {
        public string? Name { get; set; }

        public string? Field { get; set; }

        public string? Title { get; set; }

        public List<string>? Values { get; set; }
    }
}
