using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Harvest;

/// <summary>
/// The DCAT-AP 3.0 door against the official DCAT-AP 3.0.0 SHACL shapes (SEMICeu/DCAT-AP releases/3.0.0/shacl, run by
/// rdf-validate-shacl): the catalogue in its three serialisations, every page, the theme schemes and every dataset
/// conform with zero violations; a mutilated copy does not.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class DcatTests(DataOpenFactory factory)
{
    internal const string NotOpen = "enterprise-tax-details";
    internal const string Conditional = "enterprise-energy-consumption";

    internal static async Task<string> GetTextAsync(HttpClient client, string url, string mediaType)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    private static async Task<string> NegotiatedAsync(HttpClient client, string url, string mediaType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", mediaType);
        using var response = await client.SendAsync(request);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static readonly (string Ext, string MediaType)[] Formats = [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml")];

    [NodeFact]
    public async Task The_catalogue_every_page_the_themes_and_every_dataset_conform_to_the_DCAT_AP_3_shapes()
    {
        await DistributionDigestTests.SettleAsync(factory); // the per-format byteSize and checksum are validated too
        using var client = factory.CreateClient();
        using var scratch = new HarvestCheck.Scratch();
        var files = new List<string>();
        foreach (var (ext, mediaType) in Formats)
        {
            files.Add(await scratch.WriteAsync($"catalog.{ext}", await GetTextAsync(client, $"/catalog.{ext}", mediaType)));
            files.Add(await scratch.WriteAsync($"catalog-p2.{ext}", await GetTextAsync(client, $"/catalog.{ext}?page=2&page_size=4", mediaType)));
            files.Add(await scratch.WriteAsync($"themes.{ext}", await GetTextAsync(client, $"/catalog/themes.{ext}", mediaType)));
        }

        var served = factory.Catalog.Current.Served.Select(d => d.Identifier).ToList();
        Assert.True(served.Count >= 8, "the sample catalogue serves " + served.Count);
        foreach (var id in served)
        {
            foreach (var (ext, mediaType) in Formats)
            {
                files.Add(await scratch.WriteAsync($"{id}.{ext}", await GetTextAsync(client, $"/datasets/{id}.{ext}", mediaType)));
            }
        }

        var (code, output) = await HarvestCheck.RunAsync("shacl", [HarvestCheck.Shapes, .. files]);
        Assert.True(code == 0, "DCAT-AP 3.0.0 SHACL violations:\n" + output);
        var reports = HarvestCheck.Report(output).EnumerateArray().ToList();
        Assert.Equal(files.Count, reports.Count);
        Assert.All(reports, r =>
        {
            Assert.True(r.GetProperty("conforms").GetBoolean(), r.GetProperty("file").GetString());
            Assert.Equal(0, r.GetProperty("violations").GetInt32());
            Assert.True(r.GetProperty("triples").GetInt32() > 20, r.GetProperty("file").GetString());
        });
    }

    [NodeFact]
    public async Task A_catalogue_without_descriptions_access_URLs_and_with_a_bad_checksum_fails_the_shapes()
    {
        using var client = factory.CreateClient();
        var doc = JsonNode.Parse(await GetTextAsync(client, "/catalog.jsonld", "application/ld+json"))!;
        var removed = 0;
        foreach (var node in doc["@graph"]!.AsArray().Select(n => n!.AsObject()))
        {
            var types = node["@type"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? [];
            if (types.Contains("dcat:Dataset"))
            {
                removed += node.Remove("dct:description") ? 1 : 0;
            }

            if (types.Contains("dcat:Distribution"))
            {
                node.Remove("dcat:accessURL");
            }

            if (types.Contains("spdx:Checksum"))
            {
                node["spdx:checksumValue"] = new JsonArray(new JsonObject { ["@value"] = "not hex", ["@type"] = "xsd:hexBinary" });
            }
        }

        Assert.True(removed > 0);
        using var scratch = new HarvestCheck.Scratch();
        var file = await scratch.WriteAsync("mutilated.jsonld", doc.ToJsonString());
        var (code, output) = await HarvestCheck.RunAsync("shacl", HarvestCheck.Shapes, file);
        Assert.Equal(1, code);
        var results = HarvestCheck.Report(output)[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("path").GetString()).ToList();
        Assert.Contains("http://purl.org/dc/terms/description", results);
        Assert.Contains("http://www.w3.org/ns/dcat#accessURL", results);
        Assert.Contains("http://spdx.org/rdf/terms#checksumValue", results);
    }

    [Fact]
    public async Task A_scored_datasets_quality_score_is_a_DQV_measurement_of_the_platforms_metric()
    {
        var services = factory.Services;
        await services.GetRequiredService<DataOpen.Api.Quality.QualityService>().ScoreMissingAsync(CancellationToken.None);
        var d = factory.Catalog.Current.FindServed("bus-stops")!;
        var report = await services.GetRequiredService<DataOpen.Api.Quality.QualityService>().FindAsync(d, d.Current!.Version, CancellationToken.None);
        Assert.NotNull(report);
        using var client = factory.CreateClient();
        var graph = JsonNode.Parse(await GetTextAsync(client, "/datasets/bus-stops.jsonld", "application/ld+json"))!["@graph"]!.AsArray();
        JsonObject Node(string id) => graph.Single(n => n!["@id"]?.GetValue<string>() == id)!.AsObject();
        var measurement = Node(Node("http://localhost/datasets/bus-stops#dataset")["dqv:hasQualityMeasurement"]![0]!["@id"]!.GetValue<string>());
        Assert.Equal(report.Score.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), measurement["dqv:value"]![0]!["@value"]!.GetValue<string>());
        var metric = measurement["dqv:isMeasurementOf"]![0]!["@id"]!.GetValue<string>();
        Assert.Equal("http://localhost/catalog#quality-score", metric);
        Assert.Contains(Node(metric)["@type"]!.AsArray(), t => t!.GetValue<string>() == "dqv:Metric");
    }

    [NodeFact]
    public async Task Turtle_JSON_LD_and_RDF_XML_hold_the_same_graph()
    {
        await DistributionDigestTests.SettleAsync(factory); // digests appearing between two reads would change the graph
        using var client = factory.CreateClient();
        using var scratch = new HarvestCheck.Scratch();
        foreach (var path in new[] { "/catalog", "/datasets/bus-stops", "/catalog/themes" })
        {
            var files = new List<string>();
            foreach (var (ext, mediaType) in Formats)
            {
                // The catalogue by content negotiation, so that its Hydra page links are the same URLs in every serialisation.
                var text = path == "/catalog" ? await NegotiatedAsync(client, path, mediaType) : await GetTextAsync(client, $"{path}.{ext}", mediaType);
                files.Add(await scratch.WriteAsync(path.Replace('/', '_') + "." + ext, text));
            }

            var (code, output) = await HarvestCheck.RunAsync("same", [.. files]);
            Assert.True(code == 0, path + ": the serialisations differ:\n" + output);
        }

        // The comparison can fail: two different graphs are not the same.
        var (differ, _) = await HarvestCheck.RunAsync("same", Path.Combine(scratch.Path, "_catalog.ttl"), Path.Combine(scratch.Path, "_datasets_bus-stops.ttl"));
        Assert.Equal(1, differ);
    }

    [Fact]
    public async Task Not_open_datasets_never_appear_and_conditional_ones_are_restricted()
    {
        using var client = factory.CreateClient();
        foreach (var (ext, mediaType) in Formats)
        {
            var text = await GetTextAsync(client, $"/catalog.{ext}?page_size=1000", mediaType);
            Assert.DoesNotContain(NotOpen, text, StringComparison.Ordinal);
            Assert.Contains($"/datasets/{Conditional}#dataset", text, StringComparison.Ordinal);
            using var response = await client.GetAsync($"/datasets/{NotOpen}.{ext}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var conditional = await GetTextAsync(client, $"/datasets/{Conditional}.ttl", "text/turtle");
        Assert.Contains("dct:accessRights <http://publications.europa.eu/resource/authority/access-right/RESTRICTED>", conditional, StringComparison.Ordinal);
        var open = await GetTextAsync(client, "/datasets/air-quality-hourly.ttl", "text/turtle");
        Assert.Contains("dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC>", open, StringComparison.Ordinal);
        Assert.Contains("\"长春新区空气质量小时数据（2023—2025）\"@zh", open, StringComparison.Ordinal);
        Assert.Contains("\"Hourly air quality by monitoring station, 2023–2025\"@en", open, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_negotiates_the_serialisation_and_refuses_what_it_cannot_serve()
    {
        using var client = factory.CreateClient();
        foreach (var (accept, expected) in new[]
        {
            ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml"), ("text/turtle", "text/turtle"),
            ("*/*", "text/turtle"), ("text/html;q=0.9, application/rdf+xml;q=0.5, application/ld+json;q=0.8", "application/ld+json"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/catalog");
            request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Accept", response.Headers.Vary);
        }

        using var html = new HttpRequestMessage(HttpMethod.Get, "/catalog");
        html.Headers.TryAddWithoutValidation("Accept", "text/html");
        using var refused = await client.SendAsync(html);
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/catalog.ttl?page=0", "page")]
    [InlineData("/catalog.ttl?page=999", "page")]
    [InlineData("/catalog.ttl?page_size=0", "page_size")]
    [InlineData("/catalog.ttl?page_size=1001", "page_size")]
    [InlineData("/catalog?pagesize=5", "pagesize")]
    [InlineData("/datasets/bus-stops.ttl?format=x", "format")]
    [InlineData("/catalog/themes.jsonld?lang=en", "lang")]
    public async Task Bad_paging_and_unknown_parameters_are_problems(string url, string parameter)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(parameter, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
