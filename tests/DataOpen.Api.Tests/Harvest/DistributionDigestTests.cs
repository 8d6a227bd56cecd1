using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Harvest;

/// <summary>
/// dcat:byteSize and spdx:checksum on every download format's distribution, and bytes and hash on every Data Package
/// resource, are those of the bytes the download URL serves: checked by downloading each format and hashing it.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class DistributionDigestTests(DataOpenFactory factory)
{
    private const string Origin = "http://localhost";

    /// <summary>
    /// Digests every served version under the test factory's row limit and scores every version now, instead of waiting for
    /// the background passes: what DCAT states then stays put between two reads.
    /// </summary>
    internal static async Task SettleAsync(DataOpenFactory factory)
    {
        await factory.Services.GetRequiredService<DistributionDigests>().ComputeMissingAsync(CancellationToken.None);
        await factory.Services.GetRequiredService<DataOpen.Api.Quality.QualityService>().ScoreMissingAsync(CancellationToken.None);
    }

    private static JsonObject Node(JsonArray graph, string id) =>
        graph.Single(n => n!["@id"]?.GetValue<string>() == id)!.AsObject();

    private static string? Value(JsonObject node, string property) => node[property]?[0]?["@value"]?.GetValue<string>();

    [Fact]
    public async Task Every_format_distribution_and_package_resource_states_the_size_and_sha256_of_the_bytes_its_url_serves()
    {
        await SettleAsync(factory);
        using var client = factory.CreateClient();
        var graph = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/datasets/bus-stops.jsonld", "application/ld+json"))!["@graph"]!.AsArray();
        var package = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/api/v1/datasets/bus-stops/datapackage.json", "application/json"))!;
        var resources = package["resources"]!.AsArray().ToDictionary(r => r!["format"]!.GetValue<string>(), r => r!);
        string[] formats = ["csv", "json", "jsonl", "xlsx", "parquet", "geojson"];
        Assert.Equal(formats, resources.Keys);
        foreach (var format in formats)
        {
            var dist = Node(graph, $"{Origin}/datasets/bus-stops#distribution-{format}");
            var url = dist["dcat:downloadURL"]![0]!["@id"]!.GetValue<string>();
            var bytes = await client.GetByteArrayAsync(url[Origin.Length..]);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Assert.Equal(bytes.LongLength.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(dist, "dcat:byteSize"));
            var checksum = Node(graph, dist["spdx:checksum"]![0]!["@id"]!.GetValue<string>());
            Assert.Equal(sha, Value(checksum, "spdx:checksumValue"));
            Assert.Equal("http://spdx.org/rdf/terms#checksumAlgorithm_sha256", checksum["spdx:algorithm"]![0]!["@id"]!.GetValue<string>());
            Assert.Equal(url, resources[format]["path"]!.GetValue<string>());
            Assert.Equal(bytes.LongLength, resources[format]["bytes"]!.GetValue<long>());
            Assert.Equal("sha256:" + sha, resources[format]["hash"]!.GetValue<string>());
        }

        // A workbook's ZIP parts carry no clock time: the second download is the same bytes as the first.
        var xlsx = resources["xlsx"]["path"]!.GetValue<string>()[Origin.Length..];
        Assert.Equal(await client.GetByteArrayAsync(xlsx), await client.GetByteArrayAsync(xlsx));
    }

    [Fact]
    public async Task A_version_over_the_row_limit_states_a_size_and_checksum_only_for_the_published_file()
    {
        await SettleAsync(factory);
        using var client = factory.CreateClient();
        var current = factory.Catalog.Current.FindServed("air-quality-hourly")!.Current!;
        Assert.True(current.RowCount > 100_000, "the test factory digests versions of at most 100,000 rows");
        var graph = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/datasets/air-quality-hourly.jsonld", "application/ld+json"))!["@graph"]!.AsArray();
        var csv = Node(graph, $"{Origin}/datasets/air-quality-hourly#distribution-csv");
        Assert.Null(csv["dcat:byteSize"]);
        Assert.Null(csv["spdx:checksum"]);
        var source = Node(graph, $"{Origin}/datasets/air-quality-hourly#distribution-source-v{current.Version}");
        Assert.Equal(current.ByteSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(source, "dcat:byteSize"));
        var package = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/api/v1/datasets/air-quality-hourly/datapackage.json", "application/json"))!;
        Assert.All(package["resources"]!.AsArray(), r => Assert.Null(r!["hash"]));
    }
}
