using System.Net;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Feeds;

/// <summary>
/// The Atom feeds, read back with System.ServiceModel.Syndication's Atom 1.0 reader (which rejects what is not
/// Atom): catalogue, publisher and theme feeds list served datasets newest change first, never a not-open one; an
/// updated dataset is the same entry (same id) with a later <c>updated</c>; the versions feed lists each version
/// with its CSV enclosure; unknown names and parameters are problems.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class FeedTests(DataOpenFactory factory)
{
    private async Task PublishAsync(string id, int rows)
    {
        using var admin = factory.CreateAdminClient();
        await TestDatasets.PublishIdNameCsvAsync(admin, id, rows, "丙");
    }

    private async Task<string> NewDatasetAsync(string openClass, bool publish = true)
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-feed"), openClass: openClass);
        using var admin = factory.CreateAdminClient();
        var put = await admin.PutAsync($"/api/v1/admin/datasets/{def.Identifier}",
            new StringContent(JsonSerializer.Serialize(def, DataOpen.Core.Catalog.DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        if (publish)
        {
            await PublishAsync(def.Identifier, 1);
        }

        return def.Identifier;
    }

    private async Task<SyndicationFeed> FeedAsync(string uri)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(uri);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{uri}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        using var reader = XmlReader.Create(new StringReader(text));
        var formatter = new Atom10FeedFormatter();
        Assert.True(formatter.CanRead(reader), text[..Math.Min(200, text.Length)]);
        formatter.ReadFrom(reader);
        return formatter.Feed;
    }

    private static string EntryId(string dataset) => "tag:data.ccxq.gov.cn,2026:dataset:" + dataset;

    [Fact]
    public async Task Catalogue_publisher_and_theme_feeds_list_served_datasets_newest_change_first_and_never_a_not_open_one()
    {
        var open = await NewDatasetAsync("unconditional");
        var conditional = await NewDatasetAsync("conditional");
        var closed = await NewDatasetAsync("not-open", publish: false);
        await PublishAsync(open, 2); // updated last: first in every feed

        foreach (var uri in new[] { "/feeds/datasets.atom", $"/feeds/publishers/{TestDatasets.Publisher}.atom", $"/feeds/themes/{TestDatasets.Scheme}/{TestDatasets.Theme}.atom" })
        {
            var feed = await FeedAsync(uri);
            var ids = feed.Items.Select(i => i.Id).ToList();
            Assert.Equal(EntryId(open), ids[0]);
            Assert.Contains(EntryId(conditional), ids);
            Assert.DoesNotContain(EntryId(closed), ids);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var times = feed.Items.Select(i => i.LastUpdatedTime).ToList();
            Assert.Equal(times.OrderDescending(), times);
            Assert.Equal(times[0], feed.LastUpdatedTime);
            var entry = feed.Items.First();
            Assert.Contains(entry.Links, l => l.RelationshipType == "alternate" && l.Uri.AbsolutePath == $"/datasets/{open}");
            Assert.Contains(entry.Links, l => l.RelationshipType == "related" && l.Uri.AbsolutePath == $"/feeds/datasets/{open}/versions.atom");
            Assert.Contains(entry.Categories, c => c.Name == TestDatasets.Theme);
            Assert.Contains(feed.Links, l => l.RelationshipType == "self" && l.Uri.AbsolutePath == uri);
        }

        // The same entry, a later updated, after another version.
        var before = (await FeedAsync("/feeds/datasets.atom")).Items.Single(i => i.Id == EntryId(conditional)).LastUpdatedTime;
        await PublishAsync(conditional, 3);
        var after = await FeedAsync("/feeds/datasets.atom");
        Assert.Equal(EntryId(conditional), after.Items.First().Id);
        Assert.True(after.Items.First().LastUpdatedTime >= before, $"{after.Items.First().LastUpdatedTime:O} vs {before:O}"); // Atom dates are whole seconds
    }

    [Fact]
    public async Task A_dataset_versions_feed_has_each_version_newest_first_with_its_CSV()
    {
        var id = await NewDatasetAsync("unconditional");
        await PublishAsync(id, 4);
        var feed = await FeedAsync($"/feeds/datasets/{id}/versions.atom");
        Assert.Equal(["2", "1"], feed.Items.Select(i => i.Id.Split(':')[^1]));
        var newest = feed.Items.First();
        Assert.Contains("4 行 rows", ((TextSyndicationContent)newest.Summary).Text, StringComparison.Ordinal);
        var csv = Assert.Single(newest.Links, l => l.RelationshipType == "enclosure");
        Assert.Equal("text/csv", csv.MediaType);
        using var client = factory.CreateClient();
        var download = await client.GetStringAsync(csv.Uri.PathAndQuery);
        Assert.Equal(5, download.Trim().Split('\n').Length);
    }

    [Fact]
    public async Task Unknown_names_and_parameters_are_problems_and_an_unchanged_feed_is_304()
    {
        var closed = await NewDatasetAsync("not-open", publish: false);
        using var client = factory.CreateClient();
        foreach (var (uri, status, names) in new[]
        {
            ("/feeds/datasets.atom?limit=5", HttpStatusCode.BadRequest, "limit"),
            ("/feeds/publishers/no-such-publisher.atom", HttpStatusCode.NotFound, "no-such-publisher"),
            ($"/feeds/themes/{TestDatasets.Scheme}/no-such-theme.atom", HttpStatusCode.NotFound, "no-such-theme"),
            ("/feeds/datasets/no-such-dataset/versions.atom", HttpStatusCode.NotFound, "no-such-dataset"),
            ($"/feeds/datasets/{closed}/versions.atom", HttpStatusCode.NotFound, closed),
        })
        {
            using var response = await client.GetAsync(uri);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{uri}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(names, text, StringComparison.Ordinal);
        }

        using var first = await client.GetAsync("/feeds/datasets.atom");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/feeds/datasets.atom");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var again = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }
}
