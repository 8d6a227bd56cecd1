using System.Text.Json.Nodes;
using DataOpen.Api.Catalog;

namespace DataOpen.Api.Ckan;

/// <summary>
/// organization_list / organization_show (publishers, 数据提供方), group_list / group_show (themes, 资源分类) and
/// tag_list (keywords), as _group_or_org_list, _group_or_org_show and tag_list in ckan/logic/action/get.py.
/// </summary>
public static class CkanGroups
{
    private const int ListMax = 1000;
    private const int AllFieldsMax = 25;

    private sealed record Entry(string Id, string Name, string Title, string Description, int Count, Func<JsonObject> Full);

    public static JsonNode OrganizationList(CkanCall c) =>
        List(c, "organizations", c.Index.Snapshot.Publishers.Select(p =>
        {
            var count = c.Index.Packages.Count(d => d.Metadata.Publisher == p.Id);
            return new Entry(CkanIndex.OrganizationId(p.Id), p.Id, p.NameZh, p.DescriptionZh ?? "", count,
                () => CkanDicts.OrganizationFull(p, count, c.Data.Bool("include_extras", absent: false)));
        }));

    public static JsonNode GroupList(CkanCall c) =>
        List(c, "groups", c.Index.Groups.Select(g =>
        {
            var count = PackagesOf(c.Index, g).Count();
            return new Entry(g.Id, g.Name, g.Theme.LabelZh, g.Scheme.NameZh, count,
                () => CkanDicts.Group(g, count, c.Data.Bool("include_extras", absent: false)));
        }));

    private static JsonArray List(CkanCall c, string namesKey, IEnumerable<Entry> entries)
    {
        var data = c.Data;
        var allFields = data.Bool("all_fields", absent: false);
        var max = allFields ? AllFieldsMax : ListMax;
        var limit = data.Has("limit") || data.Has("offset") ? data.Natural("limit") : null;
        var offset = data.Has("limit") || data.Has("offset") ? data.Natural("offset") ?? 0 : 0;
        var take = limit is null or 0 || limit > max ? max : (int)limit.Value;
        var sort = data.String("sort") is { Length: > 0 } s ? s : data.String("order_by") is { Length: > 0 } o ? o : "title";
        if (sort.Trim() is "packages" or "package_count")
        {
            sort = "package_count desc";
        }

        var parts = sort.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 1)
        {
            throw new CkanException(StatusCodes.Status409Conflict, "Validation Error", new JsonObject { ["message"] = "Too many sort criteria provided only 1 allowed" });
        }

        var bits = parts.Length == 0 ? ["title"] : parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var field = bits[0];
        var direction = bits.Length > 1 ? bits[1].ToLowerInvariant() : "asc";
        if (field is not ("name" or "packages" or "package_count" or "title"))
        {
            throw new CkanException(StatusCodes.Status409Conflict, "Validation Error", new JsonObject { ["message"] = $"Cannot sort by field `{field}`" });
        }

        if (direction is not ("asc" or "desc"))
        {
            throw new CkanException(StatusCodes.Status409Conflict, "Validation Error", new JsonObject { ["message"] = $"Invalid sort direction `{direction}`" });
        }

        var list = entries.ToList();
        var only = data.Strings(namesKey, commaSeparated: true, jsonText: false);
        if (only is { Count: > 0 })
        {
            list = list.Where(e => only.Contains(e.Name)).ToList();
        }

        if (data.String("q")?.Trim() is { Length: > 0 } q)
        {
            list = list.Where(e => new[] { e.Name, e.Title, e.Description }.Any(t => t.Contains(q, StringComparison.OrdinalIgnoreCase))).ToList();
        }

        Func<Entry, IComparable> key = field switch
        {
            "name" => e => e.Name,
            "title" => e => e.Title,
            _ => e => e.Count,
        };
        var comparer = Comparer<IComparable>.Create((a, b) => a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : a.CompareTo(b));
        var ordered = (direction == "desc" ? list.OrderByDescending(key, comparer) : list.OrderBy(key, comparer)).ThenBy(e => e.Name, StringComparer.Ordinal)
            .Skip((int)Math.Min(offset, int.MaxValue)).Take(take);
        return new JsonArray([.. ordered.Select(e => allFields ? (JsonNode)e.Full() : e.Name)]);
    }

    public static JsonNode OrganizationShow(CkanCall c)
    {
        var id = Id(c);
        var p = c.Index.Organization(id) ?? throw CkanException.NotFound();
        var packages = c.Index.Packages.Where(d => d.Metadata.Publisher == p.Id).ToList();
        var org = CkanDicts.OrganizationFull(p, packages.Count, c.Data.Bool("include_extras", absent: true));
        return Show(c, org, packages);
    }

    public static JsonNode GroupShow(CkanCall c)
    {
        var id = Id(c);
        var g = c.Index.Group(id) ?? throw CkanException.NotFound();
        var packages = PackagesOf(c.Index, g).ToList();
        return Show(c, CkanDicts.Group(g, packages.Count, c.Data.Bool("include_extras", absent: true)), packages);
    }

    private static string Id(CkanCall c) =>
        c.Data.String("id") is { Length: > 0 } id ? id : throw CkanException.Validation("id", "Missing value");

    /// <summary>The include_* switches of _group_or_org_show; datasets are the first 10, most recently modified first, as package_search returns them.</summary>
    private static JsonObject Show(CkanCall c, JsonObject group, List<DatasetEntry> packages)
    {
        var data = c.Data;
        if (!data.Bool("include_dataset_count", absent: true))
        {
            group.Remove("package_count");
        }

        if (data.Bool("include_datasets", absent: false))
        {
            group["packages"] = new JsonArray([.. packages.OrderByDescending(d => d.Modified).ThenBy(d => d.Identifier, StringComparer.Ordinal).Take(10)
                .Select(d => (JsonNode)CkanDicts.Package(c.Index, d, c.BaseUrl))]);
        }

        if (data.Bool("include_tags", absent: true))
        {
            group["tags"] = new JsonArray();
        }

        if (data.Bool("include_groups", absent: true))
        {
            group["groups"] = new JsonArray();
        }

        if (data.Bool("include_users", absent: false))
        {
            group["users"] = new JsonArray();
        }

        group["num_followers"] = 0;
        return group;
    }

    private static IEnumerable<DatasetEntry> PackagesOf(CkanIndex index, CkanGroup g) =>
        index.Packages.Where(d => d.Metadata.Themes.TryGetValue(g.Scheme.Id, out var codes) && codes.Contains(g.Theme.Code));

    public static JsonNode TagList(CkanCall c)
    {
        if (c.Data.String("vocabulary_id") is { Length: > 0 } vocabulary)
        {
            throw CkanException.NotFound($"Could not find vocabulary \"{vocabulary}\"");
        }

        var query = (c.Data.String("query") ?? c.Data.String("q"))?.Trim();
        var tags = c.Index.Packages.SelectMany(CkanIndex.Tags).Distinct(StringComparer.Ordinal)
            .Where(t => string.IsNullOrEmpty(query) || t.Contains(query, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        return c.Data.Bool("all_fields", absent: false)
            ? new JsonArray([.. tags.Select(t => (JsonNode)CkanDicts.Tag(t))])
            : new JsonArray([.. tags.Select(t => (JsonNode)t)]);
    }
}
