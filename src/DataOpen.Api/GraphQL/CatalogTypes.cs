using System.Buffers.Text;
using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;
using GraphQL;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

/// <summary>The catalog part of the schema.</summary>
internal sealed class CatalogTypes
{
    private readonly CommonTypes c;
    private readonly CatalogSnapshot snapshot;
    private readonly CommunityTypes community;
    private readonly QualityTypes quality;
    private readonly ObjectGraphType localized = new() { Name = "LocalizedText", Description = "Text in Chinese (always) and English (when given)." };
    private readonly ObjectGraphType publisher = new() { Name = "Publisher", Description = "A providing department (数据提供方)." };
    private readonly ObjectGraphType theme = new() { Name = "Theme", Description = "A theme (主题) of a theme scheme." };
    private readonly ObjectGraphType scheme = new() { Name = "ThemeScheme", Description = "A theme scheme (资源分类 axis) with its themes." };
    private readonly ObjectGraphType license = new() { Name = "License", Description = "A licence (开放许可)." };
    private readonly ObjectGraphType field = new() { Name = "Field", Description = "A column of a dataset version." };
    private readonly ObjectGraphType version = new() { Name = "DatasetVersion", Description = "A published, immutable version of a dataset." };
    private readonly ObjectGraphType counters = new() { Name = "DatasetCounters", Description = "Usage counters." };
    private readonly ObjectGraphType dataset = new() { Name = "Dataset", Description = "A dataset of the catalog (数据目录) with its metadata. Metadata of conditional datasets is public; their rows need a grant." };
    private readonly ObjectGraphType edge = new() { Name = "DatasetEdge", Description = "A dataset in a search result." };
    private readonly ObjectGraphType connection = new() { Name = "DatasetConnection", Description = "A page of catalog search results with facets over all matches." };
    private readonly ObjectGraphType facets = new() { Name = "Facets", Description = "Counts of the matching datasets per value, over all matches (not only this page)." };
    private readonly ObjectGraphType facetValue = new() { Name = "FacetValue", Description = "One facet value and how many matching datasets have it." };
    private readonly ObjectGraphType themeFacet = new() { Name = "ThemeFacet", Description = "Theme counts of one theme scheme." };
    private readonly EnumerationGraphType openClass = new() { Name = "OpenClass", Description = "开放类型: unconditionally open (无条件开放) or conditionally open (有条件开放)." };
    private readonly EnumerationGraphType sort = new() { Name = "DatasetSort", Description = "Order of search results." };

    public CatalogTypes(CommonTypes common, CatalogSnapshot snapshot)
    {
        c = common;
        this.snapshot = snapshot;
        community = new CommunityTypes(common);
        quality = new QualityTypes(common);
        Define();
    }

    private static LocalizedText? Text(string? zh, string? en) => zh is null ? null : new LocalizedText(zh, en);

    private void Define()
    {
        var s = c.String;
        localized.AddField(Gql.Field("zh", Gql.NonNull(s), "Chinese.", x => ((LocalizedText)x.Source!).Zh));
        localized.AddField(Gql.Field("en", s, "English, when given.", x => ((LocalizedText)x.Source!).En));

        openClass.Add("UNCONDITIONAL", OpenClasses.Unconditional, "无条件开放: rows open to everyone.");
        openClass.Add("CONDITIONAL", OpenClasses.Conditional, "有条件开放: metadata public, rows need an approved application.");
        sort.Add("RELEVANCE", "relevance", "Best match first (default with search).");
        sort.Add("MODIFIED", "modified", "Most recently modified first (default without search).");
        sort.Add("TITLE", "title", "By Chinese title.");
        sort.Add("POPULARITY", "popularity", "Most viewed and downloaded first.");

        var servedCounts = snapshot.Served.GroupBy(d => d.Metadata.Publisher).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        publisher.AddField(Gql.Field("id", Gql.NonNull(s), "Identifier.", x => ((PublisherInfo)x.Source!).Id));
        publisher.AddField(Gql.Field("name", Gql.NonNull(localized), "Name.", x => { var p = (PublisherInfo)x.Source!; return new LocalizedText(p.NameZh, p.NameEn); }));
        publisher.AddField(Gql.Field("description", localized, "Description.", x => { var p = (PublisherInfo)x.Source!; return Text(p.DescriptionZh, p.DescriptionEn); }));
        publisher.AddField(Gql.Field("email", s, "Contact e-mail.", x => ((PublisherInfo)x.Source!).Email));
        publisher.AddField(Gql.Field("phone", s, "Contact phone.", x => ((PublisherInfo)x.Source!).Phone));
        publisher.AddField(Gql.Field("website", s, "Web site.", x => ((PublisherInfo)x.Source!).Website));
        publisher.AddField(Gql.Field("datasetCount", Gql.NonNull(c.Int), "Served datasets of this publisher.", x => servedCounts.GetValueOrDefault(((PublisherInfo)x.Source!).Id)));

        var served = snapshot.Served.ToList();
        theme.AddField(Gql.Field("scheme", Gql.NonNull(s), "Theme scheme identifier.", x => ((ThemeInfo)x.Source!).SchemeId));
        theme.AddField(Gql.Field("code", Gql.NonNull(s), "Theme code; filter with theme: \"scheme:code\".", x => ((ThemeInfo)x.Source!).Code));
        theme.AddField(Gql.Field("label", Gql.NonNull(localized), "Label.", x => { var t = (ThemeInfo)x.Source!; return new LocalizedText(t.LabelZh, t.LabelEn); }));
        theme.AddField(Gql.Field("parent", s, "Parent theme code.", x => ((ThemeInfo)x.Source!).ParentCode));
        theme.AddField(Gql.Field("datasetCount", Gql.NonNull(c.Int), "Served datasets with this theme.", x =>
        {
            var t = (ThemeInfo)x.Source!;
            return served.Count(d => d.Metadata.Themes.TryGetValue(t.SchemeId, out var codes) && codes.Contains(t.Code));
        }));

        scheme.AddField(Gql.Field("id", Gql.NonNull(s), "Identifier.", x => ((ThemeSchemeInfo)x.Source!).Id));
        scheme.AddField(Gql.Field("name", Gql.NonNull(localized), "Name.", x => { var t = (ThemeSchemeInfo)x.Source!; return new LocalizedText(t.NameZh, t.NameEn); }));
        scheme.AddField(Gql.Field("themes", Gql.ListOf(theme), "Themes of this scheme.", x => snapshot.Themes.Where(t => t.SchemeId == ((ThemeSchemeInfo)x.Source!).Id).ToList()));

        license.AddField(Gql.Field("id", Gql.NonNull(s), "Identifier.", x => ((LicenseInfo)x.Source!).Id));
        license.AddField(Gql.Field("title", Gql.NonNull(localized), "Title.", x => { var l = (LicenseInfo)x.Source!; return new LocalizedText(l.TitleZh, l.TitleEn); }));
        license.AddField(Gql.Field("url", s, "Licence text.", x => ((LicenseInfo)x.Source!).Url));

        field.AddField(Gql.Field("name", Gql.NonNull(s), "Public ASCII name, also the GraphQL field name of the row type.", x => ((FieldInfo)x.Source!).Name));
        field.AddField(Gql.Field("type", Gql.NonNull(s), "integer, bigint, decimal, double, boolean, date, timestamp or text.", x => ((FieldInfo)x.Source!).Type.ToName()));
        field.AddField(Gql.Field("title", localized, "Label (Chinese and English).", x => { var f = (FieldInfo)x.Source!; return Text(f.TitleZh, f.TitleEn); }));
        field.AddField(Gql.Field("description", s, "Description.", x => ((FieldInfo)x.Source!).Description));
        field.AddField(Gql.Field("unit", s, "Unit of measure.", x => ((FieldInfo)x.Source!).Unit));
        field.AddField(Gql.Field("valueDomain", s, "Allowed values or code list.", x => ((FieldInfo)x.Source!).ValueDomain));
        field.AddField(Gql.Field("sensitivity", Gql.NonNull(s), "Sensitivity class.", x => ((FieldInfo)x.Source!).Sensitivity));

        version.AddField(Gql.Field("version", Gql.NonNull(c.Int), "Version number.", x => ((VersionView)x.Source!).Version.Version));
        version.AddField(Gql.Field("rowCount", Gql.NonNull(c.BigInt), "Rows.", x => ((VersionView)x.Source!).Version.RowCount));
        version.AddField(Gql.Field("byteSize", Gql.NonNull(c.BigInt), "Size of the source file in bytes.", x => ((VersionView)x.Source!).Version.ByteSize));
        version.AddField(Gql.Field("sha256", Gql.NonNull(s), "SHA-256 of the source file.", x => ((VersionView)x.Source!).Version.Sha256));
        version.AddField(Gql.Field("sourceFormat", Gql.NonNull(s), "csv, xlsx or jsonl.", x => ((VersionView)x.Source!).Version.SourceFormat));
        version.AddField(Gql.Field("sourceEncoding", s, "Detected text encoding of the source.", x => ((VersionView)x.Source!).Version.SourceEncoding));
        version.AddField(Gql.Field("publishedAt", Gql.NonNull(c.DateTime), "When it was published.", x => ((VersionView)x.Source!).Version.PublishedAt));
        version.AddField(Gql.Field("current", Gql.NonNull(c.Boolean), "This is the version served by default.", x => { var v = (VersionView)x.Source!; return v.Dataset.Current?.Version == v.Version.Version; }));
        version.AddField(Gql.Field("fields", Gql.ListOf(field), "Columns of this version.", x => ((VersionView)x.Source!).Version.Shape.Fields).WithComplexityImpact(1, 10));

        counters.AddField(Gql.Field("views", Gql.NonNull(c.BigInt), "Page and API detail views.", x => ((DatasetCounters)x.Source!).Views));
        counters.AddField(Gql.Field("downloads", Gql.NonNull(c.BigInt), "Downloads.", x => ((DatasetCounters)x.Source!).Downloads));
        counters.AddField(Gql.Field("apiCalls", Gql.NonNull(c.BigInt), "Row API calls.", x => ((DatasetCounters)x.Source!).ApiCalls));
        counters.AddField(Gql.Field("reuses", Gql.NonNull(c.BigInt), "Published reuses (应用成果) that use the dataset.", x => ((DatasetCounters)x.Source!).Reuses));

        var themeLookup = snapshot.Themes.ToDictionary(t => (t.SchemeId, t.Code));
        DatasetEntry D(IResolveFieldContext x) => (DatasetEntry)x.Source!;
        dataset.AddField(Gql.Field("id", Gql.NonNull(s), "Identifier (资源代码), also the URL segment.", x => D(x).Identifier));
        dataset.AddField(Gql.Field("title", Gql.NonNull(localized), "Title (资源名称).", x => new LocalizedText(D(x).Metadata.Title.Zh, D(x).Metadata.Title.En)));
        dataset.AddField(Gql.Field("description", Gql.NonNull(localized), "Description (资源摘要).", x => new LocalizedText(D(x).Metadata.Description.Zh, D(x).Metadata.Description.En)));
        dataset.AddField(Gql.Field("publisher", publisher, "Providing department.", x => snapshot.PublishersById.GetValueOrDefault(D(x).Metadata.Publisher)));
        dataset.AddField(Gql.Field("themes", Gql.ListOf(theme), "Themes on every scheme.", x => D(x).Metadata.Themes
            .SelectMany(kv => kv.Value.Select(code => themeLookup.GetValueOrDefault((kv.Key, code)) ?? new ThemeInfo(kv.Key, code, code, null, null))).ToList())
            .WithComplexityImpact(1, 3));
        dataset.AddField(Gql.Field("keywords", Gql.ListOf(s), "Keywords, Chinese then English.", x => D(x).Metadata.Keywords.Zh.Concat(D(x).Metadata.Keywords.En ?? []).ToList()));
        dataset.AddField(Gql.Field("openClass", Gql.NonNull(openClass), "开放类型.", x => D(x).OpenClass));
        dataset.AddField(Gql.Field("accessRights", Gql.NonNull(s), "DCAT access rights (PUBLIC, RESTRICTED).", x => OpenClasses.ToAccessRights(D(x).OpenClass)));
        dataset.AddField(Gql.Field("openConditions", localized, "Conditions of a conditional dataset (开放条件).", x => D(x).Metadata.OpenConditions is { } oc ? new LocalizedText(oc.Zh, oc.En) : null));
        dataset.AddField(Gql.Field("updateFrequency", Gql.NonNull(s), "更新频率: real-time, daily, weekly, monthly, quarterly, half-yearly, yearly, irregular or never.", x => D(x).Metadata.UpdateFrequency));
        dataset.AddField(Gql.Field("issued", Gql.NonNull(s), "First issued (date).", x => D(x).Metadata.Issued));
        dataset.AddField(Gql.Field("modified", Gql.NonNull(c.DateTime), "Last modified.", x => D(x).Modified));
        dataset.AddField(Gql.Field("license", license, "Licence.", x => snapshot.LicensesById.GetValueOrDefault(D(x).Metadata.License)));
        dataset.AddField(Gql.Field("status", Gql.NonNull(s), "active or retired.", x => D(x).Status));
        dataset.AddField(Gql.Field("currentVersion", version, "The version served by default.", x => D(x).Current is { } v ? new VersionView(D(x), v) : null));
        dataset.AddField(Gql.Field("versions", Gql.ListOf(version), "Every published version, newest first.", x => D(x).Versions.OrderByDescending(v => v.Version).Select(v => new VersionView(D(x), v)).ToList())
            .WithComplexityImpact(1, 2));
        dataset.AddField(Gql.Field("fields", Gql.ListOf(field), "Columns of the current version.", x => D(x).Current?.Shape.Fields ?? []).WithComplexityImpact(1, 10));
        dataset.AddField(Gql.Field("counters", Gql.NonNull(counters), "Usage counters.", x => D(x).Counters));
        community.AddDatasetFields(dataset);
        quality.AddDatasetFields(dataset);
        dataset.AddField(Gql.Field("rowsField", s, "Root field of this schema that serves the rows (null when none is served).", x => Gql.Request(x).Model.RowFields.GetValueOrDefault(D(x).Identifier)?.Rows));
        dataset.AddField(Gql.Field("aggregateField", s, "Root field of this schema that aggregates the rows.", x => Gql.Request(x).Model.RowFields.GetValueOrDefault(D(x).Identifier)?.Aggregate));
        dataset.AddField(Gql.Field("url", Gql.NonNull(s), "REST detail URL.", x => $"{CatalogEndpoints.BaseUrl(Gql.Request(x).Http.Request)}/api/v1/datasets/{D(x).Identifier}"));

        edge.AddField(Gql.Field("cursor", Gql.NonNull(s), "Pass as after to continue after this dataset.", x => ((DatasetEdgeView)x.Source!).Cursor));
        edge.AddField(Gql.Field("node", Gql.NonNull(dataset), "The dataset.", x => ((DatasetEdgeView)x.Source!).Hit.Dataset));
        edge.AddField(Gql.Field("score", c.Float, "Relevance score when searching.", x => ((DatasetEdgeView)x.Source!).Hit.Score));

        facetValue.AddField(Gql.Field("value", Gql.NonNull(s), "The value to filter by.", x => ((FacetValue)x.Source!).Value));
        facetValue.AddField(Gql.Field("label", localized, "Label.", x => { var f = (FacetValue)x.Source!; return Text(f.LabelZh, f.LabelEn); }));
        facetValue.AddField(Gql.Field("count", Gql.NonNull(c.Int), "Matching datasets with this value.", x => ((FacetValue)x.Source!).Count));
        themeFacet.AddField(Gql.Field("scheme", Gql.NonNull(s), "Theme scheme.", x => ((KeyValuePair<string, IReadOnlyList<FacetValue>>)x.Source!).Key));
        themeFacet.AddField(Gql.Field("values", Gql.ListOf(facetValue), "Themes; filter with theme: \"scheme:value\".", x => ((KeyValuePair<string, IReadOnlyList<FacetValue>>)x.Source!).Value));
        facets.AddField(Gql.Field("themes", Gql.ListOf(themeFacet), "Per theme scheme.", x => ((Facets)x.Source!).Themes.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList()));
        facets.AddField(Gql.Field("publisher", Gql.ListOf(facetValue), "Publishers.", x => ((Facets)x.Source!).Publisher));
        facets.AddField(Gql.Field("openClass", Gql.ListOf(facetValue), "Open classes.", x => ((Facets)x.Source!).OpenClass));
        facets.AddField(Gql.Field("format", Gql.ListOf(facetValue), "Download formats.", x => ((Facets)x.Source!).Format));
        facets.AddField(Gql.Field("updateFrequency", Gql.ListOf(facetValue), "Update frequencies.", x => ((Facets)x.Source!).UpdateFrequency));
        facets.AddField(Gql.Field("license", Gql.ListOf(facetValue), "Licences.", x => ((Facets)x.Source!).License));

        connection.AddField(Gql.Field("totalCount", Gql.NonNull(c.Int), "Datasets matching the search and filters.", x => ((DatasetPage)x.Source!).All.Count));
        connection.AddField(Gql.Field("edges", Gql.ListOf(edge), "This page.", x => ((DatasetPage)x.Source!).Edges).WithComplexityImpact(1, 1));
        connection.AddField(Gql.Field("nodes", Gql.ListOf(dataset), "This page, without cursors.", x => ((DatasetPage)x.Source!).Edges.Select(e => e.Hit.Dataset).ToList()).WithComplexityImpact(1, 1));
        connection.AddField(Gql.Field("pageInfo", Gql.NonNull(c.PageInfo), "Paging.", x => x.Source));
        connection.AddField(Gql.Field("facets", Gql.NonNull(facets), "Facet counts over every match.", x => CatalogSearch.BuildFacets(snapshot, ((DatasetPage)x.Source!).All)));
    }

    public void AddRootFields(ObjectGraphType query, GraphQLLimits limits)
    {
        var s = c.String;
        query.AddField(Gql.AsyncField("datasets", connection, "Search the catalog: Chinese and English full text, filters and facets, the same search as GET /api/v1/datasets.",
            ctx => SearchAsync(ctx),
            Gql.Arg("search", s, "Full-text query, Chinese or English (e.g. 空气质量)."),
            Gql.Arg("theme", Gql.List(Gql.NonNull(s)), "Themes as scheme:code; every one must match."),
            Gql.Arg("publisher", s, "Publisher identifier."),
            Gql.Arg("openClass", openClass, "Open class."),
            Gql.Arg("format", s, "Download format (csv, json, jsonl, xlsx, parquet, geojson)."),
            Gql.Arg("updateFrequency", s, "Update frequency."),
            Gql.Arg("license", s, "Licence identifier."),
            Gql.Arg("sort", sort, "Order; RELEVANCE with search, else MODIFIED."),
            Gql.Arg("first", c.Int, $"Page size, 1 to {CatalogSearch.MaxLimit}.", SchemaBuilder.DefaultDatasetPage),
            Gql.Arg("after", s, "endCursor of the previous page."))
            .WithComplexityImpact(x => new global::GraphQL.Validation.Complexity.FieldComplexityResult(1, Math.Clamp(x.GetArgument("first", SchemaBuilder.DefaultDatasetPage), 1, CatalogSearch.MaxLimit))));
        query.AddField(Gql.Field("dataset", dataset, "One dataset by identifier; null when no such dataset is published (not-open datasets are never shown).",
            ctx =>
            {
                var d = Gql.Request(ctx).Model.Snapshot.FindServed(ctx.GetArgument<string>("id"));
                return d is null || d.IsRetired ? null : d;
            },
            Gql.Arg("id", Gql.NonNull(s), "Identifier, e.g. air-quality-hourly.")));
        query.AddField(Gql.Field("publishers", Gql.ListOf(publisher), "Providing departments.", ctx => Gql.Request(ctx).Model.Snapshot.Publishers));
        query.AddField(Gql.Field("themes", Gql.ListOf(scheme), "Theme schemes with their themes.", ctx => Gql.Request(ctx).Model.Snapshot.ThemeSchemes));
        query.AddField(Gql.Field("licenses", Gql.ListOf(license), "Licences.", ctx => Gql.Request(ctx).Model.Snapshot.Licenses));
        community.AddRootFields(query);
        _ = limits;
    }

    private static async ValueTask<object?> SearchAsync(IResolveFieldContext ctx)
    {
        var request = Gql.Request(ctx);
        var snapshot = request.Model.Snapshot;
        var first = ctx.GetArgument("first", SchemaBuilder.DefaultDatasetPage);
        if (first is < 1 or > CatalogSearch.MaxLimit)
        {
            throw Gql.Error("LIMIT_EXCEEDED", $"first must be between 1 and {CatalogSearch.MaxLimit}; it was {first}.", new Dictionary<string, object?> { ["argument"] = "first" });
        }

        var search = ctx.GetArgument<string?>("search");
        if (search is { Length: > 200 })
        {
            throw Gql.Error("BAD_ARGUMENT", "search may be at most 200 characters.", new Dictionary<string, object?> { ["argument"] = "search" });
        }

        var order = ctx.GetArgument<string?>("sort") ?? (string.IsNullOrWhiteSpace(search) ? "modified" : "relevance");
        var themes = ctx.GetArgument<List<string>?>("theme") ?? [];
        var searchRequest = new SearchRequest(search, themes, ctx.GetArgument<string?>("publisher"), ctx.GetArgument<string?>("openClass"),
            ctx.GetArgument<string?>("format"), ctx.GetArgument<string?>("updateFrequency"), ctx.GetArgument<string?>("license"), order, CatalogSearch.MaxLimit, null);
        SearchResult result;
        try
        {
            result = await request.Http.RequestServices.GetRequiredService<CatalogSearch>().SearchAsync(snapshot, searchRequest, ctx.CancellationToken);
        }
        catch (SearchException ex)
        {
            throw Gql.Error("BAD_ARGUMENT", ex.Message, new Dictionary<string, object?> { ["argument"] = ex.Parameter });
        }

        // The search returns the whole ordered match list; this door pages it with its own cursor (the
        // identifier of the last dataset seen), which gives every edge a cursor.
        var effectiveSort = result.All.Any(h => h.Score is not null) ? order : (order == "relevance" ? "modified" : order);
        var start = 0;
        var after = ctx.GetArgument<string?>("after");
        if (after is not null)
        {
            var id = DatasetCursor.Decode(after, effectiveSort);
            var at = -1;
            for (var i = 0; i < result.All.Count; i++)
            {
                if (result.All[i].Dataset.Identifier == id)
                {
                    at = i;
                    break;
                }
            }

            if (at < 0)
            {
                throw Gql.Error("BAD_CURSOR", $"The dataset '{id}' this cursor continues after no longer matches; start again without after.", new Dictionary<string, object?> { ["argument"] = "after" });
            }

            start = at + 1;
        }

        var page = result.All.Skip(start).Take(first).Select(h => new DatasetEdgeView(h, DatasetCursor.Encode(effectiveSort, h.Dataset.Identifier))).ToList();
        return new DatasetPage(result.All, page, start + page.Count < result.All.Count, after is not null);
    }
}

internal sealed record VersionView(DatasetEntry Dataset, VersionInfo Version);

internal sealed record DatasetEdgeView(SearchHit Hit, string Cursor);

internal sealed record DatasetPage(IReadOnlyList<SearchHit> All, IReadOnlyList<DatasetEdgeView> Edges, bool HasNextPage, bool HasPreviousPage) : IPageInfo
{
    public string? StartCursor => Edges.Count > 0 ? Edges[0].Cursor : null;

    public string? EndCursor => Edges.Count > 0 ? Edges[^1].Cursor : null;
}

internal static class DatasetCursor
{
    public static string Encode(string sort, string identifier) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new[] { "ds", sort, identifier }));

    public static string Decode(string cursor, string sort)
    {
        string[]? parts = null;
        try
        {
            parts = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        if (parts is not { Length: 3 } || parts[0] != "ds")
        {
            throw Gql.Error("BAD_CURSOR", "after is not a dataset cursor this service issued.", new Dictionary<string, object?> { ["argument"] = "after" });
        }

        return parts[1] != sort
            ? throw Gql.Error("BAD_CURSOR", $"This cursor belongs to sort {parts[1].ToUpperInvariant()}; start again without after.", new Dictionary<string, object?> { ["argument"] = "after" })
            : parts[2];
    }
}
