using System.Buffers.Text;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Search;
using Npgsql;

namespace DataOpen.Api.Catalog;

public sealed record SearchRequest(
    string? Query,
    IReadOnlyList<string> Themes,
    string? Publisher,
    string? OpenClass,
    string? Format,
    string? UpdateFrequency,
    string? License,
    string Sort,
    int Limit,
    string? Cursor);

public sealed record SearchHit(DatasetEntry Dataset, double? Score);

public sealed record SearchResult(long Total, IReadOnlyList<SearchHit> Page, IReadOnlyList<SearchHit> All, string? NextCursor);

public sealed class SearchException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}

/// <summary>
/// Catalog search: PostgreSQL full text over the Chinese-aware search document (weights: title A,
/// keywords B, description C, field labels D) ranks the datasets; filters, facets and the keyset
/// cursor then work on the snapshot in memory, which holds every served dataset anyway.
/// </summary>
public sealed class CatalogSearch(Database database)
{
    public const int MaxLimit = 100;
    public static readonly string[] Sorts = ["relevance", "modified", "title", "popularity"];

    public async Task<SearchResult> SearchAsync(CatalogSnapshot snapshot, SearchRequest request, CancellationToken ct)
    {
        var candidates = snapshot.Served.ToList();
        Dictionary<long, double>? scores = null;
        var tsquery = SearchText.ForQuery(request.Query);
        if (!string.IsNullOrWhiteSpace(request.Query))
        {
            scores = tsquery is null ? [] : await RankOrFallBackAsync(candidates, tsquery, request.Query!, ct);
            candidates = candidates.Where(d => scores.ContainsKey(d.Id)).ToList();
        }

        var filtered = candidates.Where(d => Matches(d, request)).ToList();
        var sort = request.Sort;
        if (sort == "relevance" && scores is null)
        {
            sort = "modified";
        }

        var ordered = Order(filtered, sort, scores).Select(d => new SearchHit(d, scores?.GetValueOrDefault(d.Id))).ToList();
        var start = 0;
        if (request.Cursor is not null)
        {
            var after = DecodeCursor(request.Cursor, sort);
            start = ordered.FindIndex(h => Compare(h, after, sort) > 0);
            if (start < 0)
            {
                start = ordered.Count;
            }
        }

        var page = ordered.Skip(start).Take(request.Limit).ToList();
        var next = start + page.Count < ordered.Count && page.Count > 0 ? EncodeCursor(page[^1], sort) : null;
        return new SearchResult(ordered.Count, page, ordered, next);
    }

    /// <summary>
    /// Full-text ranking in PostgreSQL; while the database is unreachable, a plain text match over the snapshot
    /// (title 1.0, keywords 0.4, description 0.2 per term found), so search keeps answering through an outage.
    /// </summary>
    private async Task<Dictionary<long, double>> RankOrFallBackAsync(IReadOnlyList<DatasetEntry> candidates, string tsquery, string raw, CancellationToken ct)
    {
        try
        {
            return await RankAsync(tsquery, raw, ct);
        }
        catch (Exception ex) when (database.ReportFault(ex))
        {
            return RankInMemory(candidates, raw);
        }
    }

    internal static Dictionary<long, double> RankInMemory(IReadOnlyList<DatasetEntry> candidates, string raw)
    {
        var terms = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var scores = new Dictionary<long, double>();
        foreach (var d in candidates)
        {
            var m = d.Metadata;
            var title = m.Title.Zh + " " + m.Title.En;
            var keywords = string.Join(' ', m.Keywords.Zh.Concat(m.Keywords.En ?? []));
            var description = m.Description.Zh + " " + m.Description.En;
            double score = 0;
            foreach (var term in terms)
            {
                score += (title.Contains(term, StringComparison.OrdinalIgnoreCase) ? 1.0 : 0)
                    + (keywords.Contains(term, StringComparison.OrdinalIgnoreCase) ? 0.4 : 0)
                    + (description.Contains(term, StringComparison.OrdinalIgnoreCase) ? 0.2 : 0);
            }

            if (score > 0)
            {
                scores[d.Id] = score;
            }
        }

        return scores;
    }

    private async Task<Dictionary<long, double>> RankAsync(string tsquery, string raw, CancellationToken ct)
    {
        // Title A 1.0, keywords B 0.4, description C 0.2, field labels D 0.1; a literal match in the
        // title adds 1 so "空气" puts 空气质量小时数据 above datasets that merely mention air.
        const string sql =
            """
            SELECT id, ts_rank('{0.1, 0.2, 0.4, 1.0}', search_doc, q) +
                   CASE WHEN strpos(lower(title_zh || ' ' || coalesce(title_en, '')), lower($2)) > 0 THEN 1.0 ELSE 0.0 END
            FROM catalog.datasets, to_tsquery('simple', $1) AS q
            WHERE search_doc @@ q AND status = 'active' AND open_class <> 'not-open'
            """;
        return await database.ReadAsync(async (conn, token) =>
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = tsquery });
            cmd.Parameters.Add(new NpgsqlParameter { Value = raw.Trim() });
            var scores = new Dictionary<long, double>();
            await using var r = await cmd.ExecuteReaderAsync(token);
            while (await r.ReadAsync(token))
            {
                scores[r.GetInt64(0)] = Math.Round(r.GetDouble(1), 6);
            }

            return scores;
        }, ct);
    }

    public static bool Matches(DatasetEntry d, SearchRequest r, string? exceptFacet = null)
    {
        var m = d.Metadata;
        foreach (var t in r.Themes)
        {
            var (scheme, code) = SplitTheme(t);
            if (!m.Themes.TryGetValue(scheme, out var codes) || !codes.Contains(code))
            {
                return false;
            }
        }

        return (r.Publisher is null || m.Publisher == r.Publisher)
            && (r.OpenClass is null || m.OpenClass == r.OpenClass)
            && (r.UpdateFrequency is null || m.UpdateFrequency == r.UpdateFrequency)
            && (r.License is null || m.License == r.License)
            && (r.Format is null || DistributionFormats(d).Contains(r.Format));
    }

    public static (string Scheme, string Code) SplitTheme(string value)
    {
        var i = value.IndexOf(':', StringComparison.Ordinal);
        return i > 0 ? (value[..i], value[(i + 1)..]) : throw new SearchException("theme", $"theme filter '{value}' must be scheme:code, e.g. domain:environment");
    }

    /// <summary>Formats every served dataset can be downloaded in (dct:format of its distributions).</summary>
    public static IReadOnlyList<string> DistributionFormats(DatasetEntry d) =>
        d.Metadata.Geo is null ? ["csv", "json", "jsonl", "xlsx", "parquet"] : ["csv", "json", "jsonl", "xlsx", "parquet", "geojson"];

    public static Facets BuildFacets(CatalogSnapshot snapshot, IReadOnlyList<SearchHit> hits)
    {
        IReadOnlyList<FacetValue> Count(IEnumerable<string> values, Func<string, (string?, string?)> label) =>
            values.GroupBy(v => v, StringComparer.Ordinal)
                .Select(g => { var (zh, en) = label(g.Key); return new FacetValue(g.Key, zh, en, g.Count()); })
                .OrderByDescending(f => f.Count).ThenBy(f => f.Value, StringComparer.Ordinal).ToList();

        var themeLabels = snapshot.Themes.ToDictionary(t => (t.SchemeId, t.Code), t => (t.LabelZh, t.LabelEn));
        var themes = snapshot.ThemeSchemes.ToDictionary(
            s => s.Id,
            s => Count(hits.SelectMany(h => h.Dataset.Metadata.Themes.GetValueOrDefault(s.Id) ?? []),
                code => themeLabels.TryGetValue((s.Id, code), out var l) ? (l.LabelZh, l.LabelEn) : (null, null)));
        return new Facets(
            themes,
            Count(hits.Select(h => h.Dataset.Metadata.Publisher), id => snapshot.PublishersById.TryGetValue(id, out var p) ? (p.NameZh, p.NameEn) : (null, null)),
            Count(hits.Select(h => h.Dataset.OpenClass), v => OpenClassLabel(v)),
            Count(hits.SelectMany(h => DistributionFormats(h.Dataset)), v => (v.ToUpperInvariant(), v.ToUpperInvariant())),
            Count(hits.Select(h => h.Dataset.Metadata.UpdateFrequency), v => FrequencyLabel(v)),
            Count(hits.Select(h => h.Dataset.Metadata.License), id => snapshot.LicensesById.TryGetValue(id, out var l) ? (l.TitleZh, l.TitleEn) : (null, null)));
    }

    public static (string Zh, string En) OpenClassLabel(string v) => v switch
    {
        "unconditional" => ("无条件开放", "Unconditionally open"),
        "conditional" => ("有条件开放", "Conditionally open"),
        _ => ("不予开放", "Not open"),
    };

    public static (string Zh, string En) FrequencyLabel(string v) => v switch
    {
        "real-time" => ("实时", "Real-time"),
        "daily" => ("每日", "Daily"),
        "weekly" => ("每周", "Weekly"),
        "monthly" => ("每月", "Monthly"),
        "quarterly" => ("每季度", "Quarterly"),
        "half-yearly" => ("每半年", "Half-yearly"),
        "yearly" => ("每年", "Yearly"),
        "irregular" => ("不定期", "Irregular"),
        _ => ("不更新", "Never"),
    };

    private static IEnumerable<DatasetEntry> Order(List<DatasetEntry> list, string sort, Dictionary<long, double>? scores) => sort switch
    {
        "relevance" => list.OrderByDescending(d => scores![d.Id]).ThenBy(d => d.Identifier, StringComparer.Ordinal),
        "title" => list.OrderBy(d => d.Metadata.Title.Zh, StringComparer.Ordinal).ThenBy(d => d.Identifier, StringComparer.Ordinal),
        "popularity" => list.OrderByDescending(Popularity).ThenBy(d => d.Identifier, StringComparer.Ordinal),
        _ => list.OrderByDescending(d => d.Modified).ThenBy(d => d.Identifier, StringComparer.Ordinal),
    };

    private static long Popularity(DatasetEntry d) => d.Counters.Views + (d.Counters.Downloads * 5) + d.Counters.ApiCalls;

    private sealed record CursorKey(string Id, double? Num, string? Text);

    private static CursorKey KeyOf(SearchHit h, string sort) => sort switch
    {
        "relevance" => new(h.Dataset.Identifier, h.Score, null),
        "title" => new(h.Dataset.Identifier, null, h.Dataset.Metadata.Title.Zh),
        "popularity" => new(h.Dataset.Identifier, Popularity(h.Dataset), null),
        _ => new(h.Dataset.Identifier, h.Dataset.Modified.ToUnixTimeMilliseconds(), null),
    };

    /// <summary>Position of <paramref name="h"/> relative to the cursor key in the sort order.</summary>
    private static int Compare(SearchHit h, CursorKey after, string sort)
    {
        var k = KeyOf(h, sort);
        int primary = sort switch
        {
            "title" => string.CompareOrdinal(k.Text, after.Text),
            _ => -Nullable.Compare(k.Num, after.Num), // descending
        };
        return primary != 0 ? primary : string.CompareOrdinal(k.Id, after.Id);
    }

    private static string EncodeCursor(SearchHit h, string sort)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new object?[] { sort, KeyOf(h, sort).Id, KeyOf(h, sort).Num, KeyOf(h, sort).Text });
        return Base64Url.EncodeToString(json);
    }

    private static CursorKey DecodeCursor(string cursor, string sort)
    {
        try
        {
            var parts = JsonSerializer.Deserialize<JsonElement[]>(Base64Url.DecodeFromChars(cursor));
            if (parts is not { Length: 4 } || parts[0].GetString() != sort)
            {
                throw new SearchException("cursor", "the cursor belongs to another sort order; start again without it");
            }

            return new CursorKey(parts[1].GetString()!, parts[2].ValueKind == JsonValueKind.Null ? null : parts[2].GetDouble(),
                parts[3].ValueKind == JsonValueKind.Null ? null : parts[3].GetString());
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            throw new SearchException("cursor", "the cursor is not one this service issued");
        }
    }
}
