using System.Globalization;
using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.Statistics;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Api.Tests.Statistics;

/// <summary>
/// What an attacker reads of one version of the statistics tables through every door: the CSV download, REST rows
/// and <c>group_by</c> sums, OData rows and <c>$apply</c> sums (current version: OData serves no other), GraphQL rows
/// and aggregates. Every door must serve the same cells as the download, and every aggregate must be the sum of the
/// published values of its group — then the cells of the download are all an attacker learns from the doors, and the
/// LP over them is the LP over every door's data. Any door that served a withheld value (or a sum including one) fails.
/// </summary>
internal static class StatisticsDoors
{
    /// <summary>Cell key (as <c>CellSystem.Describe</c>) → published value, null when withheld.</summary>
    public static async Task<Dictionary<string, decimal?>> ReadAsync(HttpClient client, IReadOnlyList<TableDefinition> definitions,
        IReadOnlyDictionary<string, int> versions, bool current)
    {
        var all = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        foreach (var d in definitions)
        {
            var identifier = StatisticsDatasets.Identifier(d.Id);
            var version = versions[identifier];
            var dims = d.Dimensions.Select(x => x.Name).ToList();
            string Key(Func<string, string> label) => $"{d.Id}({string.Join(", ", dims.Select(label))})";
            var download = await DownloadAsync(client, identifier, version, Key);

            var rest = await JsonAsync(client, $"/api/v1/datasets/{identifier}/rows?version={version}&limit=10000");
            Same(download, rest.GetProperty("rows").EnumerateArray(), Key, $"REST rows of {identifier} v{version}");
            var gql = await client.PostAsync($$"""{ dataset(id: "{{identifier}}") { rowsField aggregateField } }""");
            Assert.False(gql.HasErrors, gql.ToString());
            var (rowsField, aggregateField) = (gql.Data.GetProperty("dataset").GetProperty("rowsField").GetString(),
                gql.Data.GetProperty("dataset").GetProperty("aggregateField").GetString());
            var nodes = await client.PostAsync($$"""{ {{rowsField}}(first: 1000, version: {{version}}) { nodes { {{string.Join(" ", dims)}} value status } pageInfo { hasNextPage } } }""");
            Assert.False(nodes.HasErrors, nodes.ToString());
            Assert.False(nodes.Data.GetProperty(rowsField!).GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
            Same(download, nodes.Data.GetProperty(rowsField!).GetProperty("nodes").EnumerateArray(), Key, $"GraphQL rows of {identifier} v{version}");
            if (current)
            {
                var odata = await JsonAsync(client, $"/odata/{ODataNames.EntitySet(identifier)}?$top=100000", maxPage: true);
                Assert.False(odata.TryGetProperty("@odata.nextLink", out _));
                Same(download, odata.GetProperty("value").EnumerateArray(), Key, $"OData rows of {identifier}");
            }
            foreach (var dim in dims)
            {
                // Σ of the published values per category of the dimension (withheld cells count as nothing).
                var expected = download.GroupBy(kv => Labels(kv.Key)[dims.IndexOf(dim)])
                    .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value ?? 0), StringComparer.Ordinal);
                var groups = await JsonAsync(client, $"/api/v1/datasets/{identifier}/rows?version={version}&group_by={dim}&aggregate=sum(value)%20as%20s&limit=10000");
                Sums(expected, groups.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty(dim).GetString()!, r.GetProperty("s"))), $"REST group_by {dim} of {identifier} v{version}");
                var agg = await client.PostAsync($$"""{ {{aggregateField}}(groupBy: [{{dim}}], first: 1000, version: {{version}}) { key { {{dim}} } sum { value } } }""");
                Assert.False(agg.HasErrors, agg.ToString());
                Sums(expected, agg.Data.GetProperty(aggregateField!).EnumerateArray()
                    .Select(g => (g.GetProperty("key").GetProperty(dim).GetString()!, g.GetProperty("sum").GetProperty("value"))), $"GraphQL aggregate by {dim} of {identifier} v{version}");
                if (current)
                {
                    var apply = await JsonAsync(client, $"/odata/{ODataNames.EntitySet(identifier)}?$apply=groupby(({dim}),aggregate(value%20with%20sum%20as%20s))", maxPage: true);
                    Sums(expected, apply.GetProperty("value").EnumerateArray().Select(r => (r.GetProperty(dim).GetString()!, r.GetProperty("s"))), $"OData $apply by {dim} of {identifier}");
                }
            }
            foreach (var (k, v) in download)
            {
                all[k] = v;
            }
        }
        return all;
    }

    private static string[] Labels(string key) => key[(key.IndexOf('(', StringComparison.Ordinal) + 1)..^1].Split(", ");

    private static void Same(Dictionary<string, decimal?> download, IEnumerable<JsonElement> rows, Func<Func<string, string>, string> key, string door)
    {
        var count = 0;
        foreach (var r in rows)
        {
            count++;
            var k = key(name => r.GetProperty(name).GetString()!);
            var value = r.GetProperty("value");
            decimal? served = value.ValueKind == JsonValueKind.Null ? null : value.ValueKind == JsonValueKind.String
                ? decimal.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDecimal();
            Assert.True(download.TryGetValue(k, out var expected), $"{door}: {k} is not in the download");
            Assert.True(expected == served, $"{door}: {k} is {served?.ToString(CultureInfo.InvariantCulture) ?? "null"}, the download says {expected?.ToString(CultureInfo.InvariantCulture) ?? "null"}");
        }
        Assert.True(count == download.Count, $"{door}: {count} rows, the download has {download.Count}");
    }

    private static void Sums(Dictionary<string, decimal> expected, IEnumerable<(string Group, JsonElement Sum)> groups, string door)
    {
        var seen = 0;
        foreach (var (group, sum) in groups)
        {
            seen++;
            var served = sum.ValueKind == JsonValueKind.Null ? 0 : sum.ValueKind == JsonValueKind.String
                ? decimal.Parse(sum.GetString()!, CultureInfo.InvariantCulture) : sum.GetDecimal();
            Assert.True(expected[group] == served, $"{door}: group {group} sums to {served}, the published cells to {expected[group]}");
        }
        Assert.Equal(expected.Count, seen);
    }

    private static async Task<JsonElement> JsonAsync(HttpClient client, string url, bool maxPage = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (maxPage)
        {
            request.Headers.Add("Prefer", "odata.maxpagesize=10000");
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<Dictionary<string, decimal?>> DownloadAsync(HttpClient client, string identifier, int version, Func<Func<string, string>, string> key)
    {
        var cells = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        var response = await client.GetAsync($"/api/v1/datasets/{identifier}/download?format=csv&version={version}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{identifier}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
        var lines = text.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToList();
        var value = header.IndexOf("value");
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',').Select(f => f.Trim('"')).ToArray();
            cells[key(name => fields[header.IndexOf(name)])] = fields[value].Length == 0 ? null : decimal.Parse(fields[value], CultureInfo.InvariantCulture);
        }
        return cells;
    }
}
