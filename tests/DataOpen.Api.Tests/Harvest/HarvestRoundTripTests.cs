using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Harvest;

/// <summary>
/// Issue 16 item 2's round trip. A ckanext-dcat harvest of /catalog (the DCATRDFHarvester following hydra:next, the
/// euro_dcat_ap_3 profile's parse_dataset, emulated on a real RDF parser in Harvest/js/check.mjs) and CKAN's package_show
/// from the CKAN door must agree on every served dataset: title and notes (zh, and en through the multilingual fields), tags,
/// the organization (publisher), the licence, every resource (URL, media type, format, name, issued), the extras for the
/// Chinese catalogue fields (open class, update frequency, themes, languages, contact, temporal and spatial coverage),
/// issued and modified. ckanext-dcat keeps vocabulary IRIs as IRIs; <see cref="Mismatches"/> maps each to the CKAN door's value.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class HarvestRoundTripTests(DataOpenFactory factory)
{
    private const string Authority = "http://publications.europa.eu/resource/authority/";
    private const string Iana = "http://www.iana.org/assignments/media-types/";
    private const string Sha256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256";

    [NodeFact]
    public async Task A_ckanext_dcat_harvest_of_the_catalogue_and_package_show_agree_on_every_dataset()
    {
        await DistributionDigestTests.SettleAsync(factory); // harvested with the per-format sizes and checksums
        using var client = factory.CreateClient();
        var packages = await PackagesAsync(client);
        var (harvested, pages) = await HarvestAsync(client, packages, null);
        Assert.True(pages >= 2, "page_size=5 must page the catalogue");

        var served = factory.Catalog.Current.Served.Select(d => d.Identifier).Order(StringComparer.Ordinal).ToList();
        Assert.True(served.Count >= 8, "the sample catalogue serves " + served.Count);
        Assert.Equal(served, harvested.Keys.Order(StringComparer.Ordinal).ToList());
        var problems = served.SelectMany(id => Mismatches(id, harvested[id], packages[id])).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [NodeFact]
    public async Task A_field_dropped_on_either_side_breaks_the_round_trip()
    {
        using var client = factory.CreateClient();
        var packages = await PackagesAsync(client);

        // The DCAT side loses the bus stops' keywords (one Turtle line of the dataset's description).
        var (harvested, _) = await HarvestAsync(client, packages, ttl => string.Join('\n', ttl.Split('\n').Where(l => !l.StartsWith("    dcat:keyword \"公交\"@zh", StringComparison.Ordinal))));
        Assert.Contains(Mismatches("bus-stops", harvested["bus-stops"], packages["bus-stops"]), m => m.Contains("tags", StringComparison.Ordinal));
        Assert.Empty(Mismatches("air-quality-hourly", harvested["air-quality-hourly"], packages["air-quality-hourly"]));

        // The CKAN side loses an extra, or a resource.
        var (intact, _) = await HarvestAsync(client, packages, null);
        var noEnglish = packages["bus-stops"].DeepClone().AsObject();
        var extras = noEnglish["extras"]!.AsArray();
        extras.Remove(extras.Single(e => e!["key"]!.GetValue<string>() == "title_en"));
        Assert.Contains(Mismatches("bus-stops", intact["bus-stops"], noEnglish), m => m.Contains("title_en", StringComparison.Ordinal));
        var oneResourceLess = packages["bus-stops"].DeepClone().AsObject();
        oneResourceLess["resources"]!.AsArray().RemoveAt(0);
        Assert.Contains(Mismatches("bus-stops", intact["bus-stops"], oneResourceLess), m => m.Contains("resources", StringComparison.Ordinal));
        Assert.Empty(Mismatches("bus-stops", intact["bus-stops"], packages["bus-stops"]));
    }

    /// <summary>package_show of every served dataset, by name.</summary>
    private async Task<Dictionary<string, JsonObject>> PackagesAsync(HttpClient client)
    {
        var packages = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var id in factory.Catalog.Current.Served.Select(d => d.Identifier))
        {
            using var response = await client.GetAsync($"/api/3/action/package_show?id={Uri.EscapeDataString(id)}");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(body["success"]!.GetValue<bool>(), $"package_show {id}: {body.ToJsonString()}");
            packages[id] = body["result"]!.AsObject();
        }

        return packages;
    }

    /// <summary>
    /// Harvests /catalog page by page (Turtle, as DCATRDFHarvester asks for it), with a licence register holding the source's
    /// licences (the harvesting CKAN configured with the same licences, as ckanext-dcat's _license needs); datasets by dct:identifier
    /// (the harvester's guid; it makes its own names from the titles).
    /// </summary>
    private static async Task<(Dictionary<string, JsonObject> Datasets, int Pages)> HarvestAsync(HttpClient client, Dictionary<string, JsonObject> packages, Func<string, string>? mutate)
    {
        using var scratch = new HarvestCheck.Scratch();
        var register = packages.Values.Select(p => new { id = p["license_id"]!.GetValue<string>(), url = p["license_url"]?.GetValue<string>(), title = p["license_title"]!.GetValue<string>() })
            .DistinctBy(l => l.id).ToList();
        var licences = await scratch.WriteAsync("licenses.json", JsonSerializer.Serialize(register));
        var harvested = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        string? url = "/catalog?page_size=5";
        var pages = 0;
        while (url is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept", "text/turtle");
            using var response = await client.SendAsync(request);
            Assert.Equal("text/turtle", response.Content.Headers.ContentType?.MediaType);
            var turtle = await response.Content.ReadAsStringAsync();
            var file = await scratch.WriteAsync($"page{++pages}.ttl", mutate is null ? turtle : mutate(turtle));
            var (code, output) = await HarvestCheck.RunAsync("harvest", "--lang=zh", "--licenses=" + licences, file);
            Assert.True(code == 0, output);
            var page = JsonNode.Parse(HarvestCheck.Report(output).GetRawText())!.AsArray()[0]!;
            foreach (var d in page["datasets"]!.AsArray())
            {
                harvested.Add(Extra(d!.AsObject(), "identifier") ?? throw new InvalidOperationException("a harvested dataset has no identifier"), d.AsObject());
            }

            url = page["next"]?.GetValue<string>() is { } next ? new Uri(next).PathAndQuery : null;
            Assert.True(pages < 20, "the Hydra pages do not end");
        }

        return (harvested, pages);
    }

    private static string? Extra(JsonObject dict, string key) =>
        dict["extras"]!.AsArray().FirstOrDefault(e => e!["key"]!.GetValue<string>() == key)?["value"]?.GetValue<string>();

    private static string? Text(JsonNode? node, string key) => node?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Every difference between what the harvester got for a dataset and what package_show says, named by field.</summary>
    internal List<string> Mismatches(string id, JsonObject h, JsonObject p)
    {
        var problems = new List<string>();
        void Same(string field, string? harvested, string? shown)
        {
            if (!string.Equals(harvested, shown, StringComparison.Ordinal))
            {
                problems.Add($"{id}: {field} is '{harvested}' in the harvest, '{shown}' in package_show");
            }
        }

        void SameSet(string field, IEnumerable<string?> harvested, IEnumerable<string?> shown) =>
            Same(field, string.Join(" | ", harvested.Distinct().Order(StringComparer.Ordinal)), string.Join(" | ", shown.Distinct().Order(StringComparer.Ordinal)));

        IEnumerable<string?> JsonList(string? text) => text is null ? [] : JsonSerializer.Deserialize<string[]>(text)!;
        string? PExtra(string key) => Extra(p, key);
        string? HExtra(string key) => Extra(h, key);

        // Title, notes, tags: the default language (zh) as CKAN's core fields; English as the multilingual fields / _en extras.
        Same("title", Text(h, "title"), Text(p, "title"));
        Same("notes", Text(h, "notes"), Text(p, "notes"));
        Same("title_en", Text(h["title_translated"], "en"), PExtra("title_en"));
        Same("notes_en", Text(h["notes_translated"], "en"), PExtra("notes_en"));
        SameSet("tags", h["tags"]!.AsArray().Select(t => Text(t, "name")), p["tags"]!.AsArray().Select(t => Text(t, "name")));
        SameSet("tags_en", h["tags_translated"]?["en"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [], JsonList(PExtra("tags_en")));
        Same("url", Text(h, "url"), Text(p, "url"));
        Same("version", Text(h, "version"), Text(p, "version"));
        Same("license_id", Text(h, "license_id"), Text(p, "license_id"));

        // The organization is the publisher: ckanext-dcat reads dct:publisher into the publisher_* extras.
        var org = p["organization"];
        Same("organization.title", HExtra("publisher_name"), Text(org, "title"));
        Same("organization.name", HExtra("publisher_identifier"), Text(org, "name"));
        Same("publisher_name", HExtra("publisher_name"), PExtra("publisher_name"));
        Same("provider (数据提供方)", HExtra("publisher_name"), PExtra("provider"));
        Same("publisher_email", HExtra("publisher_email"), PExtra("publisher_email"));
        Same("publisher_url", HExtra("publisher_url"), PExtra("publisher_url"));

        // Extras ckanext-dcat names as the CKAN door does.
        foreach (var key in new[] { "identifier", "issued", "modified", "frequency", "contact_name", "contact_email", "temporal_start", "temporal_end" })
        {
            Same(key, HExtra(key), PExtra(key));
        }

        // The Chinese catalogue fields through their DCAT vocabularies.
        Same("access_rights (开放属性)", HExtra("access_rights"), Authority + "access-right/" + PExtra("access_rights"));
        Same("update_frequency (更新频率)", HExtra("frequency"), PExtra("frequency"));
        var baseUrl = Text(p, "url")![..Text(p, "url")!.IndexOf("/datasets/", StringComparison.Ordinal)];
        SameSet("themes (资源分类)", JsonList(HExtra("theme")),
            JsonList(PExtra("themes")).Select(t => t!.Split(':', 2)).Select(t => $"{baseUrl}/catalog/themes/{t[0]}/{t[1]}"));
        SameSet("language", JsonList(HExtra("language")).Select(l => l switch { Authority + "language/ZHO" => "zh", Authority + "language/ENG" => "en", _ => l }), JsonList(PExtra("language")));

        // ckanext-dcat's _spatial keeps the last label it reads of the dct:Location (zh or en, in graph order).
        var spatial = factory.Catalog.Current.Find(id)!.Metadata.SpatialCoverage;
        var place = HExtra("spatial_text");
        if (place != PExtra("spatial_text") && (place is null || place != spatial?.En))
        {
            problems.Add($"{id}: spatial_text is '{HExtra("spatial_text")}' in the harvest, '{PExtra("spatial_text")}' (en '{spatial?.En}') in package_show");
        }

        // Resources: every package_show resource is a harvested distribution with the same download URL, media type, format, name
        // and issue time; the extra distribution (no download URL) is the published file with its size and sha256.
        var distributions = h["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var downloads = distributions.Where(r => r["download_url"] is not null).ToDictionary(r => Text(r, "download_url")!, StringComparer.Ordinal);
        var resources = p["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        SameSet("resources (download URLs)", downloads.Keys, resources.Select(r => Text(r, "url")));
        var schema = PExtra("conforms_to") + "?version=" + PExtra("current_version");
        foreach (var r in resources)
        {
            if (!downloads.TryGetValue(Text(r, "url")!, out var d))
            {
                continue;
            }

            var format = Text(r, "format")!;
            var mimetype = Iana + Text(r, "mimetype");
            Same($"resource {format} mimetype", Text(d, "mimetype"), mimetype);
            Same($"resource {format} format", Text(d, "format"), format == "JSONL" ? mimetype : Authority + "file-type/" + format);
            Same($"resource {format} name", Text(d, "name"), Text(r, "name"));
            Same($"resource {format} url", Text(d, "url"), Text(r, "url"));
            Same($"resource {format} issued", Seconds(Text(d, "issued")), Seconds(Text(r, "created")));
            Same($"resource {format} conforms_to", JsonList(Text(d, "conforms_to")).SingleOrDefault(), schema);
            Same($"resource {format} license", Text(d, "license"), Text(p, "license_url") ?? $"{baseUrl}/catalog#licence-{Uri.EscapeDataString(Text(p, "license_id")!)}");
        }

        // Download formats carry the size and sha256 of their bytes once computed (DistributionDigestTests checks the values).
        foreach (var d in downloads.Values.Where(r => r["hash"] is not null))
        {
            Same($"{Text(d, "download_url")} hash_algorithm", Text(d, "hash_algorithm"), Sha256);
            if (d["size"]?.GetValue<long>() is not > 0)
            {
                problems.Add($"{id}: {Text(d, "download_url")} has a checksum but no byte size");
            }
        }

        var source = distributions.Where(r => r["download_url"] is null && r["hash"] is not null).ToList();
        if (source.Count != 1)
        {
            problems.Add($"{id}: {source.Count} distributions without a download URL carry a checksum, not one (the published file)");
        }
        else
        {
            Same("sha256", Text(source[0], "hash"), PExtra("sha256"));
            Same("hash_algorithm", Text(source[0], "hash_algorithm"), Sha256);
            if (source[0]["size"]?.GetValue<long>() is not > 0)
            {
                problems.Add($"{id}: the published file has no byte size");
            }
        }

        return problems;
    }

    private static string? Seconds(string? timestamp) =>
        timestamp is null ? null : DateTime.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
