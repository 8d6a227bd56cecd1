using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages.Datasets;

public sealed record FacetGroup(string Parameter, string Title, IReadOnlyList<FacetLink> Values);

public sealed record FacetLink(string Label, int Count, bool Selected, string Href);

/// <summary>Search with facets. Every state is in the GET query string, so result pages can be shared and bookmarked.</summary>
public sealed class IndexModel(CatalogStore catalog, CatalogSearch search, Ui ui) : PageModel
{
    public const int PageSize = 10;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true, Name = "theme")]
    public string[] Theme { get; set; } = [];

    [BindProperty(SupportsGet = true, Name = "publisher")]
    public string? Publisher { get; set; }

    [BindProperty(SupportsGet = true, Name = "open_class")]
    public string? OpenClass { get; set; }

    [BindProperty(SupportsGet = true, Name = "format")]
    public string? Format { get; set; }

    [BindProperty(SupportsGet = true, Name = "update_frequency")]
    public string? UpdateFrequency { get; set; }

    [BindProperty(SupportsGet = true, Name = "license")]
    public string? License { get; set; }

    [BindProperty(SupportsGet = true, Name = "sort")]
    public string? Sort { get; set; }

    /// <summary>Read from the query string by hand: model binding would take Razor Pages' own "page" route value first.</summary>
    public string? PageText => Request.Query["page"].FirstOrDefault();

    public int PageNumber { get; private set; } = 1;

    public int PageCount { get; private set; }

    public long Total { get; private set; }

    public string EffectiveSort { get; private set; } = "modified";

    public IReadOnlyList<SearchHit> Hits { get; private set; } = [];

    public IReadOnlyList<FacetGroup> FacetGroups { get; private set; } = [];

    public string? Error { get; private set; }

    public CatalogSnapshot Snapshot { get; private set; } = CatalogSnapshot.Empty;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Snapshot = catalog.Current;
        Query = string.IsNullOrWhiteSpace(Query) ? null : Query.Trim();
        Error = Validate();
        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        try
        {
            var request = new SearchRequest(Query, Theme, Empty(Publisher), Empty(OpenClass), Empty(Format), Empty(UpdateFrequency), Empty(License), EffectiveSort, CatalogSearch.MaxLimit, null);
            var result = await search.SearchAsync(Snapshot, request, ct);
            Total = result.Total;
            PageCount = (int)Math.Ceiling(result.All.Count / (double)PageSize);
            Hits = result.All.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();
            FacetGroups = BuildFacetGroups(CatalogSearch.BuildFacets(Snapshot, result.All));
        }
        catch (SearchException ex)
        {
            Error = ui.Format("search.badParameter", ex.Parameter, ex.Message);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    private string? Validate()
    {
        if (Query is { Length: > 200 })
        {
            return ui["search.tooLong"];
        }

        EffectiveSort = Empty(Sort) ?? (Query is null ? "modified" : "relevance");
        if (!CatalogSearch.Sorts.Contains(EffectiveSort))
        {
            return ui.Format("search.badSort", EffectiveSort, string.Join(", ", CatalogSearch.Sorts));
        }

        if (Empty(OpenClass) is { } oc && oc is not (OpenClasses.Unconditional or OpenClasses.Conditional))
        {
            return ui.Format("search.badOpenClass", oc);
        }

        if (Empty(PageText) is { } p)
        {
            if (!int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1 || n > 10_000)
            {
                return ui.Format("search.badPage", p);
            }

            PageNumber = n;
        }

        return Theme.Select(t => t.Contains(':', StringComparison.Ordinal) ? null : ui.Format("search.badTheme", t)).FirstOrDefault(e => e is not null);
    }

    private static string? Empty(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();

    private List<FacetGroup> BuildFacetGroups(Facets facets)
    {
        var groups = new List<FacetGroup>();
        foreach (var scheme in Snapshot.ThemeSchemes)
        {
            if (facets.Themes.TryGetValue(scheme.Id, out var values) && values.Count > 0)
            {
                groups.Add(new FacetGroup("theme", ui.Pick(scheme.NameZh, scheme.NameEn),
                    values.Select(v => ThemeLink(scheme.Id + ":" + v.Value, ui.Pick(v.LabelZh ?? v.Value, v.LabelEn), v.Count)).ToList()));
            }
        }

        groups.Add(Single("publisher", ui["facet.publisher"], facets.Publisher, Publisher));
        groups.Add(Single("open_class", ui["facet.openClass"], facets.OpenClass, OpenClass));
        groups.Add(Single("format", ui["facet.format"], facets.Format, Format));
        groups.Add(Single("update_frequency", ui["facet.frequency"], facets.UpdateFrequency, UpdateFrequency));
        groups.Add(Single("license", ui["facet.license"], facets.License, License));
        return groups.Where(g => g.Values.Count > 0).ToList();
    }

    private FacetLink ThemeLink(string value, string label, int count)
    {
        var selected = Theme.Contains(value, StringComparer.Ordinal);
        var themes = selected ? Theme.Where(t => t != value).ToArray() : [.. Theme, value];
        return new FacetLink(label, count, selected, Href(("theme", themes), ("page", [])));
    }

    private FacetGroup Single(string parameter, string title, IReadOnlyList<FacetValue> values, string? current) =>
        new(parameter, title, values.Select(v =>
        {
            var selected = string.Equals(current, v.Value, StringComparison.Ordinal);
            return new FacetLink(ui.Pick(v.LabelZh ?? v.Value, v.LabelEn), v.Count, selected, Href((parameter, selected ? [] : [v.Value]), ("page", [])));
        }).ToList());

    /// <summary>This search's URL with some parameters replaced (an empty array removes one).</summary>
    public string Href(params (string Name, string[] Values)[] changes)
    {
        var state = new List<(string Name, string[] Values)>
        {
            ("q", Query is null ? [] : [Query]),
            ("theme", Theme),
            ("publisher", Opt(Publisher)),
            ("open_class", Opt(OpenClass)),
            ("format", Opt(Format)),
            ("update_frequency", Opt(UpdateFrequency)),
            ("license", Opt(License)),
            ("sort", Opt(Sort)),
            ("page", PageNumber > 1 ? [PageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)] : []),
        };
        foreach (var (name, values) in changes)
        {
            var i = state.FindIndex(s => s.Name == name);
            state[i] = (name, values);
        }

        var qs = QueryString.Create(state.SelectMany(s => s.Values.Select(v => new KeyValuePair<string, string?>(s.Name, v))));
        return "/datasets" + qs.ToUriComponent();
    }

    private static string[] Opt(string? v) => string.IsNullOrWhiteSpace(v) ? [] : [v.Trim()];
}
