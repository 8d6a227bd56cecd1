using System.Text.Json.Nodes;
using DataOpen.Api.Catalog;

namespace DataOpen.Api.Ckan;

/// <summary>
/// package_search (ckan/logic/action/get.py and ckan/lib/search/query.py): q (free text through the catalogue's
/// full-text search, or field syntax), fq and fq_list (<see cref="CkanQuery"/>), rows (default 10, at most 1000),
/// start, sort, fl, facet, facet.field, facet.limit and facet.mincount. Parameters CKAN accepts but that only tune
/// Solr (qf, bf, boost, tie, defType, mm, df, wt) and ext_* are accepted and have no effect; any other parameter is
/// CKAN's 400 "Search Query Error: Invalid search parameters".
/// </summary>
public sealed class CkanSearch(CatalogSearch search)
{
    public const int RowsMax = 1000;

    public const string DefaultSort = "score desc, metadata_modified desc";

    /// <summary>default_package_search_schema plus the keys package_search pops itself and VALID_SOLR_PARAMETERS.</summary>
    public static readonly string[] Parameters =
    [
        "q", "fq", "fq_list", "rows", "start", "sort", "fl", "facet", "facet.field", "facet.limit", "facet.mincount",
        "include_private", "include_drafts", "include_deleted", "use_default_schema", "extras", "qf", "wt", "bf", "boost", "tie", "defType", "mm", "df",
    ];

    private static readonly HashSet<string> Known = new(Parameters, StringComparer.Ordinal);

    private static readonly string[] SortFields = ["score", "metadata_modified", "metadata_created", "name", "title", "title_string", "views_recent", "views_total"];

    public async Task<JsonObject> SearchAsync(CkanIndex index, CkanData data, string baseUrl, CancellationToken ct)
    {
        var rows = (int)Math.Min(data.Natural("rows") ?? 10, RowsMax);
        var start = data.Natural("start") ?? 0;
        var facetLimit = data.Int("facet.limit") ?? 50;
        var facetMinCount = data.Natural("facet.mincount") ?? 1;
        var facetFields = data.Strings("facet.field", commaSeparated: false, jsonText: true) ?? [];
        var fl = data.Strings("fl", commaSeparated: true, jsonText: false)?.SelectMany(f => f.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var unknown = data.Keys.Where(k => !Known.Contains(k) && !k.StartsWith("ext_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw CkanException.SearchQuery($"Invalid search parameters: [{string.Join(", ", unknown.Select(u => "'" + u + "'"))}]");
        }

        var now = DateTimeOffset.UtcNow;
        var q = data.String("q")?.Trim();
        var docs = index.Packages.Select(d => new CkanDocument(index, d, baseUrl)).ToList();
        Dictionary<long, double>? scores = null;
        if (!string.IsNullOrEmpty(q) && q is not ("*:*" or "\"\"" or "''"))
        {
            if (CkanQuery.IsFielded(q))
            {
                var test = CkanQuery.Parse(q, now);
                docs = [.. docs.Where(d => test(d))];
            }
            else
            {
                if (q.Length > 200)
                {
                    throw CkanException.SearchQuery("q may be at most 200 characters");
                }

                var ranked = await search.SearchAsync(index.Snapshot, new SearchRequest(q, [], null, null, null, null, null, "relevance", CatalogSearch.MaxLimit, null), ct);
                scores = ranked.All.ToDictionary(h => h.Dataset.Id, h => h.Score ?? 0);
                docs = docs.Where(d => scores.ContainsKey(d.Dataset.Id)).ToList();
            }
        }

        foreach (var fq in (data.String("fq") is { Length: > 0 } one ? [one] : Array.Empty<string>()).Concat(data.Strings("fq_list", false, false) ?? []))
        {
            if (!string.IsNullOrWhiteSpace(fq))
            {
                var test = CkanQuery.Parse(fq, now);
                docs = [.. docs.Where(d => test(d))];
            }
        }

        var sort = data.String("sort") is { Length: > 0 } s && s != "rank" ? s : DefaultSort;
        var ordered = Order(docs, sort, scores);
        var page = ordered.Skip((int)Math.Min(start, int.MaxValue)).Take(rows).ToList();
        var facets = new JsonObject();
        var searchFacets = new JsonObject();
        if (data.String("facet") is not "false")
        {
            foreach (var field in facetFields.Distinct(StringComparer.Ordinal))
            {
                var (counts, items) = Facet(index, docs, field, facetLimit, facetMinCount);
                facets[field] = counts;
                searchFacets[field] = new JsonObject { ["title"] = field, ["items"] = items };
            }
        }

        return new JsonObject
        {
            ["count"] = docs.Count,
            ["facets"] = facets,
            ["results"] = new JsonArray([.. page.Select(d => (JsonNode)Fields(CkanDicts.Package(index, d.Dataset, baseUrl), fl))]),
            ["sort"] = sort,
            ["search_facets"] = searchFacets,
        };
    }

    /// <summary>With fl, only the fields asked for (CKAN then reads them from the index rather than the whole dictionary).</summary>
    private static JsonObject Fields(JsonObject package, List<string>? fl)
    {
        if (fl is null or { Count: 0 })
        {
            return package;
        }

        var result = new JsonObject();
        foreach (var f in fl)
        {
            if (package.TryGetPropertyValue(f, out var value))
            {
                result[f] = value?.DeepClone();
            }
        }

        return result;
    }

    private static List<CkanDocument> Order(List<CkanDocument> docs, string sort, Dictionary<long, double>? scores)
    {
        IOrderedEnumerable<CkanDocument>? ordered = null;
        foreach (var part in sort.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bits = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var field = bits[0];
            var direction = bits.Length > 1 ? bits[1].ToLowerInvariant() : "";
            if (bits.Length != 2 || direction is not ("asc" or "desc"))
            {
                throw CkanException.SearchQuery("Invalid \"sort\" parameter");
            }

            if (!SortFields.Contains(field))
            {
                throw CkanException.Search($"sort param field can't be found: {field}");
            }

            var descending = direction == "desc";
            Func<CkanDocument, IComparable> key = field switch
            {
                "score" => d => scores?.GetValueOrDefault(d.Dataset.Id) ?? 1.0,
                "metadata_modified" => d => d.Dataset.Modified,
                "metadata_created" => d => CkanDicts.Created(d.Dataset),
                "name" => d => d.Dataset.Identifier,
                "views_recent" or "views_total" => d => d.Dataset.Counters.Views,
                _ => d => d.Dataset.Metadata.Title.Zh,
            };
            var comparer = Comparer<IComparable>.Create((a, b) => a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : a.CompareTo(b));
            ordered = ordered is null
                ? descending ? docs.OrderByDescending(key, comparer) : docs.OrderBy(key, comparer)
                : descending ? ordered.ThenByDescending(key, comparer) : ordered.ThenBy(key, comparer);
        }

        return (ordered?.ThenBy(d => d.Dataset.Identifier, StringComparer.Ordinal) ?? docs.OrderBy(d => d.Dataset.Identifier, StringComparer.Ordinal)).ToList();
    }

    /// <summary>
    /// Solr's facet counts (most frequent first, then by value; facet.limit values, a negative limit for all;
    /// values below facet.mincount left out) and CKAN's search_facets items, sorted by display name descending as
    /// package_search sorts them. Organizations and groups are displayed by title, licences by licence title.
    /// </summary>
    private static (JsonObject Counts, JsonArray Items) Facet(CkanIndex index, List<CkanDocument> docs, string field, long limit, long minCount)
    {
        var counts = docs.SelectMany(d => (d.Values(field) ?? throw CkanException.Search($"undefined field {field}")).Distinct(StringComparer.Ordinal))
            .GroupBy(v => v, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Count: g.Count()))
            .Where(x => x.Count >= minCount)
            .OrderByDescending(x => x.Count).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(limit < 0 ? int.MaxValue : (int)Math.Min(limit, int.MaxValue))
            .ToList();
        var items = counts.Select(x => (x.Name, x.Count, Display: field switch
        {
            "organization" => index.Organization(x.Name)?.NameZh ?? x.Name,
            "groups" => index.Group(x.Name)?.Theme.LabelZh ?? x.Name,
            "license_id" => index.Snapshot.LicensesById.GetValueOrDefault(x.Name)?.TitleZh ?? x.Name,
            _ => x.Name,
        })).OrderByDescending(x => x.Display, StringComparer.Ordinal);
        return (new JsonObject([.. counts.Select(x => KeyValuePair.Create(x.Name, (JsonNode?)x.Count))]),
            new JsonArray([.. items.Select(x => (JsonNode)new JsonObject { ["count"] = x.Count, ["display_name"] = x.Display, ["name"] = x.Name })]));
    }
}

/// <summary>One package as CKAN's Solr schema indexes it.</summary>
public sealed class CkanDocument(CkanIndex index, DatasetEntry dataset, string baseUrl) : ICkanDocument
{
    private Dictionary<string, string?>? extras;

    public DatasetEntry Dataset { get; } = dataset;

    private Dictionary<string, string?> Extras => extras ??= CkanDicts.ExtraValues(index, Dataset, baseUrl);

    public IReadOnlyList<string>? Values(string field)
    {
        var d = Dataset;
        var m = d.Metadata;
        return field switch
        {
            "id" => [CkanIndex.PackageId(d)],
            "name" => [d.Identifier],
            "title" or "title_string" => [m.Title.Zh, .. m.Title.En is { } en ? [en] : Array.Empty<string>()],
            "notes" => [m.Description.Zh, .. m.Description.En is { } en ? [en] : Array.Empty<string>()],
            "tags" => CkanIndex.Tags(d),
            "organization" => [m.Publisher],
            "owner_org" => [CkanIndex.OrganizationId(m.Publisher)],
            "groups" => [.. index.GroupsOf(d).Select(g => g.Name)],
            "res_format" => [.. CatalogSearch.DistributionFormats(d).Select(f => f.ToUpperInvariant())],
            "license_id" => [m.License],
            "capacity" => ["public"],
            "state" => ["active"],
            "type" or "dataset_type" or "entity_type" => [field == "entity_type" ? "package" : "dataset"],
            "private" => ["false"],
            "site_id" => ["dataopen"],
            _ when field.StartsWith("extras_", StringComparison.Ordinal) => Extras.TryGetValue(field["extras_".Length..], out var v) ? v is null ? [] : [v] : null,
            _ => null,
        };
    }

    public DateTimeOffset? Instant(string field) => field switch
    {
        "metadata_modified" => Dataset.Modified,
        "metadata_created" => CkanDicts.Created(Dataset),
        _ => null,
    };

    public bool TextContains(string term)
    {
        var m = Dataset.Metadata;
        return new[] { Dataset.Identifier, m.Title.Zh, m.Title.En, m.Description.Zh, m.Description.En }
            .Concat(CkanIndex.Tags(Dataset)).Concat(Extras.Values)
            .Any(t => t?.Contains(term, StringComparison.OrdinalIgnoreCase) == true);
    }
}
