using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Feeds;

/// <summary>
/// Atom feeds (RFC 4287, written by System.ServiceModel.Syndication's Atom 1.0 formatter) of new and updated
/// datasets — the whole catalogue, one publisher, one theme — and of each dataset's published versions. An entry's
/// id is a tag URI (RFC 4151) that never changes, so a reader sees an updated dataset as the same entry with a
/// later <c>updated</c>. Only served datasets appear: conditional ones (their metadata is public) and open ones,
/// never not-open or retired ones.
/// </summary>
public static class FeedEndpoints
{
    public const string MediaType = "application/atom+xml";

    /// <summary>Entries per feed: the most recently changed datasets (versions: the newest).</summary>
    public const int MaxEntries = 50;

    private const string TagBase = "tag:data.ccxq.gov.cn,2026:";

    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder app)
    {
        // Outside /api/, so marked for the OpenAPI document.
        var group = app.MapGroup("/feeds").WithTags("Feeds").WithStrictQuery().WithMetadata(InOpenApiDocument.Instance);
        group.MapGet("/datasets.atom", (HttpContext http, CatalogStore catalog) =>
            Catalogue(http, catalog.Current, "datasets", "长春新区公共数据开放平台：新增和更新的数据集 / New and updated datasets", _ => true))
            .WithName("CatalogueFeed").WithSummary("Atom feed of new and updated datasets, newest change first (at most 50 entries).")
            .Produces<string>(StatusCodes.Status200OK, MediaType).Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/publishers/{id}.atom", (string id, HttpContext http, CatalogStore catalog) =>
        {
            var snapshot = catalog.Current;
            return snapshot.PublishersById.TryGetValue(id, out var p)
                ? Catalogue(http, snapshot, "publisher:" + id, $"{p.NameZh}：新增和更新的数据集 / {p.NameEn ?? p.Id}: new and updated datasets", d => d.Metadata.Publisher == id)
                : Problems.NotFound($"No publisher '{id}'; see /api/v1/publishers.");
        }).WithName("PublisherFeed").WithSummary("Atom feed of new and updated datasets of one publisher (its id as in /api/v1/publishers).")
            .Produces<string>(StatusCodes.Status200OK, MediaType).Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/themes/{scheme}/{code}.atom", (string scheme, string code, HttpContext http, CatalogStore catalog) =>
        {
            var snapshot = catalog.Current;
            var theme = snapshot.Themes.FirstOrDefault(t => t.SchemeId == scheme && t.Code == code);
            return theme is null
                ? Problems.NotFound($"No theme '{scheme}:{code}'; see /api/v1/themes.")
                : Catalogue(http, snapshot, $"theme:{scheme}:{code}", $"{theme.LabelZh}：新增和更新的数据集 / {theme.LabelEn ?? code}: new and updated datasets",
                    d => d.Metadata.Themes.TryGetValue(scheme, out var codes) && codes.Contains(code));
        }).WithName("ThemeFeed").WithSummary("Atom feed of new and updated datasets with one theme (scheme and code as in /api/v1/themes).")
            .Produces<string>(StatusCodes.Status200OK, MediaType).Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/datasets/{id}/versions.atom", (string id, HttpContext http, CatalogStore catalog) => Versions(http, catalog.Current, id))
            .WithName("DatasetVersionsFeed").WithSummary("Atom feed of one dataset's published versions, newest first (at most 50 entries).")
            .Produces<string>(StatusCodes.Status200OK, MediaType).Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static IResult Catalogue(HttpContext http, CatalogSnapshot snapshot, string key, string title, Func<DatasetEntry, bool> include)
    {
        var baseUrl = CatalogEndpoints.BaseUrl(http.Request);
        var datasets = snapshot.Served.Where(include).OrderByDescending(d => d.Modified).ThenBy(d => d.Identifier, StringComparer.Ordinal).Take(MaxEntries).ToList();
        var feed = NewFeed(http, key, title, datasets.Select(d => d.Modified).DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max(), $"{baseUrl}/datasets");
        var themes = snapshot.Themes.ToDictionary(t => (t.SchemeId, t.Code));
        feed.Items = datasets.Select(d =>
        {
            var m = d.Metadata;
            var page = $"{baseUrl}/datasets/{Uri.EscapeDataString(d.Identifier)}";
            var item = new SyndicationItem
            {
                Id = TagBase + "dataset:" + d.Identifier,
                Title = new TextSyndicationContent(m.Title.En is null ? m.Title.Zh : $"{m.Title.Zh} / {m.Title.En}"),
                Summary = new TextSyndicationContent(m.Description.Zh),
                LastUpdatedTime = d.Modified,
                PublishDate = d.Created ?? d.Versions.Select(v => v.PublishedAt).DefaultIfEmpty(d.Modified).Min(),
            };
            item.Links.Add(new SyndicationLink(new Uri(page), "alternate", m.Title.Zh, "text/html", 0));
            item.Links.Add(new SyndicationLink(new Uri($"{baseUrl}/api/v1/datasets/{Uri.EscapeDataString(d.Identifier)}"), "related", "metadata (JSON)", "application/json", 0));
            item.Links.Add(new SyndicationLink(new Uri($"{baseUrl}/feeds/datasets/{Uri.EscapeDataString(d.Identifier)}/versions.atom"), "related", "versions (Atom)", MediaType, 0));
            item.Authors.Add(new SyndicationPerson(snapshot.PublishersById.GetValueOrDefault(m.Publisher)?.Email, snapshot.PublishersById.GetValueOrDefault(m.Publisher)?.NameZh ?? m.Publisher, null));
            foreach (var (scheme, codes) in m.Themes)
            {
                foreach (var code in codes)
                {
                    item.Categories.Add(new SyndicationCategory(code, $"{baseUrl}/api/v1/themes#{scheme}", themes.GetValueOrDefault((scheme, code))?.LabelZh ?? code));
                }
            }

            item.Categories.Add(new SyndicationCategory(m.OpenClass, $"{baseUrl}/api/v1/datasets?open_class", CatalogSearch.OpenClassLabel(m.OpenClass).Zh));
            return item;
        }).ToList();
        return Write(http, feed, snapshot.CatalogVersion.ToString(CultureInfo.InvariantCulture) + ":" + key);
    }

    private static IResult Versions(HttpContext http, CatalogSnapshot snapshot, string id)
    {
        var d = snapshot.FindServed(id);
        if (d is null || d.IsRetired)
        {
            return Problems.NotFound($"No dataset '{id}' is published.");
        }

        var baseUrl = CatalogEndpoints.BaseUrl(http.Request);
        var self = $"{baseUrl}/api/v1/datasets/{Uri.EscapeDataString(d.Identifier)}";
        var versions = d.Versions.OrderByDescending(v => v.Version).Take(MaxEntries).ToList();
        var feed = NewFeed(http, "dataset:" + d.Identifier + ":versions", $"{d.Metadata.Title.Zh}：版本 / versions",
            versions.Select(v => v.PublishedAt).DefaultIfEmpty(d.Modified).Max(), $"{baseUrl}/datasets/{Uri.EscapeDataString(d.Identifier)}");
        var publisher = snapshot.PublishersById.GetValueOrDefault(d.Metadata.Publisher);
        feed.Authors.Add(new SyndicationPerson(publisher?.Email, publisher?.NameZh ?? d.Metadata.Publisher, publisher?.Website));
        feed.Items = versions.Select(v =>
        {
            var n = v.Version.ToString(CultureInfo.InvariantCulture);
            var item = new SyndicationItem
            {
                Id = TagBase + "dataset:" + d.Identifier + ":version:" + n,
                Title = new TextSyndicationContent($"{d.Metadata.Title.Zh}：第 {n} 版 / version {n}"),
                Summary = new TextSyndicationContent($"{v.RowCount.ToString(CultureInfo.InvariantCulture)} 行 rows, sha256 {v.Sha256}, {v.SourceFormat}, published by {v.PublishedBy}"),
                LastUpdatedTime = v.PublishedAt,
                PublishDate = v.PublishedAt,
            };
            item.Links.Add(new SyndicationLink(new Uri($"{self}/versions/{n}"), "alternate", "version (JSON)", "application/json", 0));
            item.Links.Add(new SyndicationLink(new Uri($"{self}/download?format=csv&version={n}"), "enclosure", "CSV", "text/csv", 0));
            return item;
        }).ToList();
        return Write(http, feed, $"{snapshot.CatalogVersion.ToString(CultureInfo.InvariantCulture)}:{d.Identifier}:versions");
    }

    private static SyndicationFeed NewFeed(HttpContext http, string key, string title, DateTimeOffset updated, string alternate)
    {
        var request = http.Request;
        var feed = new SyndicationFeed
        {
            Id = TagBase + "feed:" + key,
            Title = new TextSyndicationContent(title),
            LastUpdatedTime = updated,
            Language = "zh",
            Generator = "DataOpen",
        };
        feed.Links.Add(new SyndicationLink(new Uri(CatalogEndpoints.BaseUrl(request) + request.Path), "self", null, MediaType, 0));
        feed.Links.Add(new SyndicationLink(new Uri(alternate), "alternate", null, "text/html", 0));
        feed.Authors.Add(new SyndicationPerson(null, "长春新区公共数据开放平台", CatalogEndpoints.BaseUrl(request) + "/"));
        return feed;
    }

    private static IResult Write(HttpContext http, SyndicationFeed feed, string version)
    {
        if (HttpCaching.NotModified(http, HttpCaching.Etag("feed", version), "public, max-age=300"))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var sb = new StringBuilder();
        using (var writer = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
        {
            new Atom10FeedFormatter(feed).WriteTo(writer);
        }

        // StringBuilder output declares UTF-16; the body is UTF-8.
        var xml = sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
        return Results.Text(xml, MediaType + "; charset=utf-8", Encoding.UTF8);
    }
}
