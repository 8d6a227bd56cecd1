using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Harvest;

/// <summary>Frictionless Data Packages per dataset and for the catalogue, validated by datapackage-js (Frictionless' JavaScript implementation).</summary>
[Collection(ApiTests.Name)]
public sealed class DataPackageTests(DataOpenFactory factory)
{
    [NodeFact]
    public async Task Every_dataset_package_and_the_catalogue_package_are_valid_Data_Packages()
    {
        await DistributionDigestTests.SettleAsync(factory); // resources with bytes and hash are validated too
        using var client = factory.CreateClient();
        using var scratch = new HarvestCheck.Scratch();
        var files = new List<string> { await scratch.WriteAsync("catalogue.json", await DcatTests.GetTextAsync(client, "/api/v1/datapackage.json", "application/json")) };
        var served = factory.Catalog.Current.Served.ToList();
        foreach (var d in served)
        {
            files.Add(await scratch.WriteAsync(d.Identifier + ".json", await DcatTests.GetTextAsync(client, $"/api/v1/datasets/{d.Identifier}/datapackage.json", "application/json")));
        }

        var (code, output) = await HarvestCheck.RunAsync("datapackage", [.. files]);
        Assert.True(code == 0, "invalid Data Packages:\n" + output);
        var reports = HarvestCheck.Report(output).EnumerateArray().ToList();
        Assert.Equal(files.Count, reports.Count);
        Assert.All(reports, r => Assert.True(r.GetProperty("valid").GetBoolean(), r.ToString()));
        var formats = served.Sum(d => d.Metadata.Geo is null ? 5 : 6);
        Assert.Equal(formats, reports[0].GetProperty("resources").GetInt32());
        // datapackage-js reads the CSV (tabular-data-resource) and the XLSX resource of each dataset as tables.
        Assert.Equal(2 * served.Count, reports[0].GetProperty("tabular").GetInt32());
    }

    [Fact]
    public async Task A_dataset_package_has_a_resource_per_format_with_the_schema_and_the_published_files_size_and_sha256()
    {
        using var client = factory.CreateClient();
        var package = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/api/v1/datasets/bus-stops/datapackage.json", "application/json"))!;
        var version = JsonDocument.Parse(await DcatTests.GetTextAsync(client, "/api/v1/datasets/bus-stops", "application/json")).RootElement.GetProperty("currentVersion");
        var schema = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/api/v1/datasets/bus-stops/schema", "application/json"))!;
        Assert.Equal("bus-stops", package["name"]!.GetValue<string>());
        var resources = package["resources"]!.AsArray();
        Assert.Equal(["csv", "json", "jsonl", "xlsx", "parquet", "geojson"], resources.Select(r => r!["format"]!.GetValue<string>()));
        Assert.All(resources, r =>
        {
            Assert.Equal($"http://localhost/api/v1/datasets/bus-stops/download?format={r!["format"]}&version={version.GetProperty("version").GetInt32()}", r["path"]!.GetValue<string>());
            Assert.Equal(schema["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()), r["schema"]!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
            Assert.Equal("CC-BY-4.0", r["licenses"]![0]!["name"]!.GetValue<string>());
        });
        var source = package["sources"]![0]!;
        Assert.Equal("sha256:" + version.GetProperty("sha256").GetString(), source["hash"]!.GetValue<string>());
        Assert.Equal(version.GetProperty("byteSize").GetInt64(), source["bytes"]!.GetValue<long>());
    }

    [NodeFact]
    public async Task A_package_with_a_bad_name_and_a_resource_without_data_is_invalid()
    {
        using var client = factory.CreateClient();
        var package = JsonNode.Parse(await DcatTests.GetTextAsync(client, "/api/v1/datasets/bus-stops/datapackage.json", "application/json"))!.AsObject();
        package["name"] = "Bus Stops!";
        package["resources"]![0]!.AsObject().Remove("path");
        using var scratch = new HarvestCheck.Scratch();
        var (code, output) = await HarvestCheck.RunAsync("datapackage", await scratch.WriteAsync("bad.json", package.ToJsonString()));
        Assert.True(code == 1, output);
        Assert.False(HarvestCheck.Report(output)[0].GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Not_open_datasets_have_no_package_and_are_not_in_the_catalogue_package()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync($"/api/v1/datasets/{DcatTests.NotOpen}/datapackage.json");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var catalogue = await DcatTests.GetTextAsync(client, "/api/v1/datapackage.json", "application/json");
        Assert.DoesNotContain(DcatTests.NotOpen, catalogue, StringComparison.Ordinal);
        Assert.Contains(DcatTests.Conditional + "-csv", catalogue, StringComparison.Ordinal);
        using var strict = await client.GetAsync("/api/v1/datapackage.json?format=zip");
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
    }
}
