using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Catalog;

namespace DataOpen.Api.Ckan;

/// <summary>An action's result: a JSON value, or a writer for results written as they are read (datastore records).</summary>
public sealed record CkanResult(Action<Utf8JsonWriter> Write)
{
    public static implicit operator CkanResult(JsonNode? node) => new(w =>
    {
        if (node is null)
        {
            w.WriteNullValue();
        }
        else
        {
            node.WriteTo(w);
        }
    });
}

/// <summary>One documented parameter of an action (OpenAPI and the strict-parameter test read these).</summary>
public sealed record CkanParameter(string Name, string Description);

/// <summary>What an action gets: the request, the catalogue at its start, its data dictionary and the base URL for links.</summary>
public sealed record CkanCall(HttpContext Http, CkanIndex Index, CkanData Data, string BaseUrl);

/// <summary>An action of the subset: its name, help text (help_show), parameters and handler.</summary>
public sealed record CkanAction(string Name, string Help, IReadOnlyList<CkanParameter> Parameters, Func<CkanCall, Task<CkanResult>> Run);

/// <summary>
/// The actions of CKAN 2.11's Action API that DataOpen serves, with CKAN's parameters and results
/// (ckan/logic/action/get.py; datastore_search from ckanext/datastore). Every one is read-only and GET-able.
/// Parameters an action does not read are ignored, as CKAN ignores them, except where CKAN refuses them:
/// package_search (400 Search Query Error) and datastore_search (409 Validation Error).
/// </summary>
public static class CkanActions
{
    private static readonly CkanParameter[] Pagination =
    [
        new("limit", "Page size (optional)."),
        new("offset", "Names to skip when limit is given (optional)."),
    ];

    private static readonly CkanParameter[] GroupListParameters =
    [
        new("sort", "\"title asc\" (default), \"name\" or \"package_count\" with asc or desc."),
        new("order_by", "Deprecated form of sort: name or packages."),
        new("limit", "At most this many (default 1000, 25 with all_fields)."),
        new("offset", "Skip this many."),
        new("all_fields", "true: dictionaries instead of names."),
        new("q", "Only those whose name, title or description contains this text."),
        new("type", "group or organization (the one this action lists)."),
        new("include_dataset_count", "With all_fields: package_count (default true)."),
        new("include_extras", "With all_fields: extras (default false)."),
        new("include_tags", "Accepted; themes and publishers have no tags."),
        new("include_groups", "Accepted; themes and publishers have no sub-groups."),
        new("include_users", "Accepted; users are not published."),
    ];

    private static readonly CkanParameter[] ShowParameters =
    [
        new("id", "The id or name."),
        new("include_datasets", "Include its first 10 datasets (default false)."),
        new("include_dataset_count", "Include package_count (default true)."),
        new("include_extras", "Include extras (default true)."),
        new("include_users", "Accepted; users are not published."),
        new("include_groups", "Accepted; there are no sub-groups."),
        new("include_tags", "Accepted; there are no group tags."),
        new("include_followers", "Accepted; num_followers is 0."),
    ];

    public static readonly IReadOnlyList<CkanAction> All =
    [
        new("status_show", "Return a dictionary with information about the site's configuration (site_title, site_url, ckan_version: the CKAN API level this subset follows, extensions).", [], StatusShow),
        new("package_list", "Return a list of the names of the site's datasets (packages), sorted by name: every open and conditionally open dataset; not-open ones are never listed.", Pagination, PackageList),
        new("package_search", "Search for packages: q (free text or Solr field syntax), fq, fq_list, rows (default 10, at most 1000), start, sort (default \"score desc, metadata_modified desc\"), fl, facet.field (a JSON list), facet.limit, facet.mincount. Returns count, results, facets, search_facets and sort.",
            [.. CkanSearch.Parameters.Select(p => new CkanParameter(p, SearchParameterHelp(p)))], c => SearchAsync(c)),
        new("package_show", "Return the metadata of a dataset (package) and its resources: id is the dataset's id (UUID) or name (the DataOpen identifier).",
            [new("id", "The id or name of the dataset."), new("name_or_id", "Older name of id."), new("use_default_schema", "Accepted (there is one schema)."), new("include_plugin_data", "Accepted (there is no plugin data).")], PackageShow),
        new("resource_show", "Return the metadata of a resource: one download format of a dataset's current version.", [new("id", "The id of the resource.")], ResourceShow),
        new("organization_list", "Return a list of the names of the site's organizations: the providing departments (数据提供方).",
            [.. GroupListParameters, new("organizations", "Only these names (a list or comma-separated).")], c => Task.FromResult<CkanResult>(CkanGroups.OrganizationList(c))),
        new("organization_show", "Return the details of an organization (a providing department).", ShowParameters, c => Task.FromResult<CkanResult>(CkanGroups.OrganizationShow(c))),
        new("group_list", "Return a list of the names of the site's groups: the themes (资源分类), named {scheme}-{code}.",
            [.. GroupListParameters, new("groups", "Only these names (a list or comma-separated).")], c => Task.FromResult<CkanResult>(CkanGroups.GroupList(c))),
        new("group_show", "Return the details of a group (a theme).", ShowParameters, c => Task.FromResult<CkanResult>(CkanGroups.GroupShow(c))),
        new("tag_list", "Return a list of the site's tags: the keywords of the datasets (free tags, no vocabularies).",
            [new("query", "Only tags containing this text."), new("q", "Same as query."), new("vocabulary_id", "A vocabulary: there are none (Not Found)."), new("all_fields", "true: tag dictionaries instead of names.")], c => Task.FromResult<CkanResult>(CkanGroups.TagList(c))),
        new("datastore_search", "Search a DataStore resource: the rows of the resource's dataset (current version), through the same query engine, access rules and limits as the REST rows. resource_id is a resource id or the dataset's name (an alias).",
            [.. CkanDatastore.Parameters.Select(p => new CkanParameter(p, DatastoreParameterHelp(p)))], c => c.Http.RequestServices.GetRequiredService<CkanDatastore>().SearchAsync(c.Http, c.Index, c.Data, c.Http.RequestAborted)),
        new("help_show", "Return the help string for a particular API action.", [new("name", "Action name (e.g. package_search).")], HelpShow),
    ];

    public static readonly IReadOnlyDictionary<string, CkanAction> ByName = All.ToDictionary(a => a.Name, StringComparer.Ordinal);

    private static string SearchParameterHelp(string p) => p switch
    {
        "q" => "Free text (full-text search of titles, keywords and descriptions, Chinese and English) or Solr field syntax (tags:空气).",
        "fq" => "Filter query, e.g. organization:ecology-environment +res_format:CSV or metadata_modified:[NOW-7DAYS TO *].",
        "fq_list" => "More filter queries (a list).",
        "rows" => "Datasets to return (default 10, at most 1000).",
        "start" => "Offset of the first dataset returned.",
        "sort" => "Comma-separated \"field asc|desc\": score, metadata_modified, metadata_created, name, title_string, views_recent.",
        "fl" => "Return only these package fields.",
        "facet" => "false: no facets.",
        "facet.field" => "JSON list of fields to count, e.g. [\"organization\",\"tags\",\"groups\",\"res_format\",\"license_id\"].",
        "facet.limit" => "Values per facet (default 50, negative: all).",
        "facet.mincount" => "Least count of a facet value (default 1).",
        _ => "Accepted as CKAN accepts it; no effect here.",
    };

    private static string DatastoreParameterHelp(string p) => p switch
    {
        "resource_id" => "A resource id, or the dataset's name (alias).",
        "id" => "Same as resource_id.",
        "filters" => "JSON object: {\"field\": value} (equals) or {\"field\": [values]} (any of).",
        "q" => "Text every word of which must occur in some text field, or a JSON object {\"field\": \"text\"}.",
        "full_text" => "Like q as text.",
        "fields" => "Fields to return (a list or comma-separated); _id is the row's position.",
        "sort" => "Comma-separated \"field [asc|desc]\" (default: source order, _id).",
        "limit" => "Rows to return (default 100, at most 10000).",
        "offset" => "Rows to skip (at most 1,000,000).",
        "distinct" => "true: distinct rows of the fields returned.",
        "include_total" => "Return total (default true).",
        "records_format" => "objects (default), lists, csv or tsv.",
        _ => "Accepted as CKAN accepts it; no effect here (totals are exact).",
    };

    private static Task<CkanResult> StatusShow(CkanCall c) => Task.FromResult<CkanResult>(new JsonObject
    {
        ["site_title"] = "长春新区公共数据开放平台 DataOpen",
        ["site_description"] = "Changchun New Area open data platform: a subset of CKAN's Action API v3 over the DataOpen catalogue.",
        ["site_url"] = c.BaseUrl,
        ["error_emails_to"] = null,
        ["locale_default"] = "zh_Hans_CN",
        ["extensions"] = new JsonArray("datastore"),
        ["ckan_version"] = CkanEndpoints.CkanVersion,
    });

    private static Task<CkanResult> PackageList(CkanCall c)
    {
        var limit = c.Data.Natural("limit");
        var offset = c.Data.Natural("offset") ?? 0;
        var names = c.Index.Packages.Select(d => d.Identifier).Skip((int)Math.Min(offset, int.MaxValue));
        if (limit is > 0)
        {
            names = names.Take((int)Math.Min(limit.Value, int.MaxValue));
        }

        return Task.FromResult<CkanResult>(new JsonArray([.. names.Select(n => (JsonNode)n)]));
    }

    private static async Task<CkanResult> SearchAsync(CkanCall c) =>
        await c.Http.RequestServices.GetRequiredService<CkanSearch>().SearchAsync(c.Index, c.Data, c.BaseUrl, c.Http.RequestAborted);

    private static Task<CkanResult> PackageShow(CkanCall c)
    {
        var id = c.Data.String("id") is { Length: > 0 } given ? given : c.Data.String("name_or_id");
        if (string.IsNullOrEmpty(id))
        {
            throw CkanException.Validation("name_or_id", "Missing value");
        }

        var d = c.Index.Package(id) ?? throw CkanException.NotFound();
        return Task.FromResult<CkanResult>(CkanDicts.Package(c.Index, d, c.BaseUrl));
    }

    private static Task<CkanResult> ResourceShow(CkanCall c)
    {
        var id = c.Data.String("id");
        if (string.IsNullOrEmpty(id))
        {
            throw CkanException.Validation("id", "Missing value");
        }

        var r = c.Index.Resource(id) ?? throw CkanException.NotFound();
        return Task.FromResult<CkanResult>(CkanDicts.Resource(r, c.BaseUrl));
    }

    private static Task<CkanResult> HelpShow(CkanCall c)
    {
        var name = c.Data.String("name");
        if (string.IsNullOrEmpty(name))
        {
            throw CkanException.Validation("name", "Missing value");
        }

        var action = ByName.GetValueOrDefault(name) ?? throw CkanException.NotFound($"Action function not found: {name}");
        var text = action.Help + (action.Parameters.Count == 0 ? "" : "\n\n" + string.Join("\n", action.Parameters.Select(p => $":param {p.Name}: {p.Description}")));
        return Task.FromResult<CkanResult>(JsonValue.Create(text));
    }
}
