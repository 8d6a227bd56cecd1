using DataOpen.Api.Catalog;
using DataOpen.Api.Community;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages;

public sealed record ThemeTile(string Scheme, string Code, string Label, int Count);

public sealed record PublisherTile(string Id, string Name, int Count);

/// <summary>Home: search box, themes, publishers, newest, most-downloaded and best-rated datasets, the latest reuses, platform counters.</summary>
public sealed class IndexModel(CatalogStore catalog, RatingStore ratings, ReuseStore reuses, Ui ui) : PageModel
{
    public CatalogSnapshot Snapshot { get; private set; } = CatalogSnapshot.Empty;

    public IReadOnlyList<ThemeTile> Themes { get; private set; } = [];

    public IReadOnlyList<PublisherTile> Publishers { get; private set; } = [];

    public IReadOnlyList<DatasetEntry> Newest { get; private set; } = [];

    public IReadOnlyList<DatasetEntry> MostDownloaded { get; private set; } = [];

    /// <summary>Datasets with at least <see cref="MinRatings"/> ratings, by average then count.</summary>
    public IReadOnlyList<(DatasetEntry Dataset, RatingSummary Rating)> BestRated { get; private set; } = [];

    public IReadOnlyList<Reuse> LatestReuses { get; private set; } = [];

    public const int MinRatings = 1;

    public int DatasetCount { get; private set; }

    public long RowCount { get; private set; }

    public long Downloads { get; private set; }

    public long ApiCalls { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Snapshot = catalog.Current;
        var served = Snapshot.Served.ToList();
        DatasetCount = served.Count;
        RowCount = served.Sum(d => d.Current!.RowCount);
        Downloads = served.Sum(d => d.Counters.Downloads);
        ApiCalls = served.Sum(d => d.Counters.ApiCalls);

        // The home page shows the first theme axis (the subject domains); the search page facets every axis.
        var scheme = Snapshot.ThemeSchemes.FirstOrDefault(s => served.Any(d => d.Metadata.Themes.ContainsKey(s.Id)));
        Themes = scheme is null ? [] : Snapshot.Themes.Where(t => t.SchemeId == scheme.Id)
            .Select(t => new ThemeTile(t.SchemeId, t.Code, ui.Pick(t.LabelZh, t.LabelEn),
                served.Count(d => d.Metadata.Themes.TryGetValue(t.SchemeId, out var codes) && codes.Contains(t.Code))))
            .Where(t => t.Count > 0).OrderByDescending(t => t.Count).ThenBy(t => t.Code, StringComparer.Ordinal).ToList();
        Publishers = Snapshot.Publishers
            .Select(p => new PublisherTile(p.Id, ui.Pick(p.NameZh, p.NameEn), served.Count(d => d.Metadata.Publisher == p.Id)))
            .Where(p => p.Count > 0).OrderByDescending(p => p.Count).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        Newest = served.OrderByDescending(d => d.Metadata.Issued, StringComparer.Ordinal).ThenByDescending(d => d.Modified).Take(6).ToList();
        MostDownloaded = served.OrderByDescending(d => d.Counters.Downloads).ThenByDescending(d => d.Counters.Views)
            .ThenBy(d => d.Identifier, StringComparer.Ordinal).Take(6).ToList();
        var summaries = await ratings.AllSummariesAsync(ct);
        BestRated = served.Where(d => summaries.TryGetValue(d.Identifier, out var r) && r.Count >= MinRatings)
            .Select(d => (d, summaries[d.Identifier])).OrderByDescending(x => x.Item2.Average).ThenByDescending(x => x.Item2.Count)
            .ThenBy(x => x.d.Identifier, StringComparer.Ordinal).Take(6).ToList();
        LatestReuses = (await reuses.PublishedAsync(null, null, null, 4, ct))
            .Select(r => r.ServedIn(Snapshot)).ToList();
    }
}
