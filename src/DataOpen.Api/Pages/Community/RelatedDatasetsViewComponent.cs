using DataOpen.Api.Catalog;
using Microsoft.AspNetCore.Mvc;

namespace DataOpen.Api.Pages.Community;

public sealed record RelatedDataset(DatasetEntry Dataset, IReadOnlyList<string> Reasons);

/// <summary>
/// Datasets related to one dataset, for its page: shared themes weigh most, then the same publisher, then shared field names
/// (a join key such as a station or enterprise code). Ties go to the more downloaded dataset.
/// </summary>
public sealed class RelatedDatasetsViewComponent(CatalogStore catalog) : ViewComponent
{
    public const int Shown = 5;

    public IViewComponentResult Invoke(string dataset) => View(Find(catalog.Current, dataset, Shown));

    public static IReadOnlyList<RelatedDataset> Find(CatalogSnapshot snapshot, string identifier, int count)
    {
        if (snapshot.FindServed(identifier) is not { Current: not null } self)
        {
            return [];
        }

        var themes = Themes(self);
        var fields = self.Current.Shape.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return snapshot.Served.Where(d => d.Identifier != identifier)
            .Select(d =>
            {
                var sharedThemes = Themes(d).Intersect(themes).Count();
                var samePublisher = d.Metadata.Publisher == self.Metadata.Publisher;
                var sharedFields = d.Current!.Shape.Fields.Where(f => fields.Contains(f.Name)).Select(f => f.Name).ToList();
                var reasons = new List<string>();
                if (sharedThemes > 0) reasons.Add("related.theme");
                if (samePublisher) reasons.Add("related.publisher");
                if (sharedFields.Count > 0) reasons.Add("related.fields");
                return (Entry: new RelatedDataset(d, reasons), Score: sharedThemes * 4 + (samePublisher ? 2 : 0) + Math.Min(sharedFields.Count, 3));
            })
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score).ThenByDescending(x => x.Entry.Dataset.Counters.Downloads).ThenBy(x => x.Entry.Dataset.Identifier, StringComparer.Ordinal)
            .Take(count).Select(x => x.Entry).ToList();
    }

    private static HashSet<string> Themes(DatasetEntry d) =>
        d.Metadata.Themes.SelectMany(kv => kv.Value.Select(code => kv.Key + ":" + code)).ToHashSet(StringComparer.Ordinal);
}
