using System.Net;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

namespace DataOpen.Api.Tests.Rest;

[Collection(ApiTests.Name)]
public sealed class OpenApiTests(DataOpenFactory factory)
{
    private const string UpdateVariable = "DATAOPEN_UPDATE_CONTRACTS";

    private async Task<string> GenerateAsync()
    {
        var provider = factory.Services.GetRequiredService<ISwaggerProvider>();
        var json = await provider.GetSwagger(OpenApiSetup.DocumentName).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_0);
        return json.ReplaceLineEndings("\n").TrimEnd() + "\n";
    }

    [Fact]
    public async Task The_committed_openapi_document_matches_the_generated_one()
    {
        var path = Path.Combine(RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from a checkout."), "openapi", "dataopen.v1.json");
        var generated = await GenerateAsync();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing. Generate it with {UpdateVariable}=1 dotnet test tests/DataOpen.Api.Tests --filter OpenApiTests");
        var committed = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        if (committed != generated)
        {
            var a = committed.Split('\n');
            var b = generated.Split('\n');
            var line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
            Assert.Fail($"openapi/dataopen.v1.json is out of date (first difference at line {line + 1}: committed '{a.ElementAtOrDefault(line)?.Trim()}', generated '{b.ElementAtOrDefault(line)?.Trim()}'). " +
                $"Regenerate it with {UpdateVariable}=1 dotnet test tests/DataOpen.Api.Tests --filter OpenApiTests and commit the file.");
        }
    }

    [Fact]
    public async Task Swagger_json_describes_every_api_endpoint_with_summary_parameters_and_problems_and_nothing_else()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths");
        // /api/ and the harvest and feed URLs; never OData, GraphQL, the pages or the host's own endpoints.
        Assert.All(paths.EnumerateObject(), p => Assert.Matches(@"^/(api/|catalog(/themes)?(\.(ttl|jsonld|rdf))?$|datasets/\{id\}\.(ttl|jsonld|rdf)$|feeds/)", p.Name));
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(op.Value.TryGetProperty("summary", out var s) ? s.GetString() : null), $"{op.Name} {path.Name} has no summary");
                Assert.True(op.Value.GetProperty("responses").EnumerateObject().Any(), $"{op.Name} {path.Name} has no responses");
            }
        }

        var rows = paths.GetProperty("/api/v1/datasets/{id}/rows").GetProperty("get");
        var names = rows.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "id", "filter", "select", "order", "limit", "cursor", "version", "count", "group_by", "aggregate" }, names.ToHashSet());
        var responses = rows.GetProperty("responses");
        foreach (var status in new[] { "200", "304", "400", "403", "404", "503" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"rows lacks {status}");
        }

        Assert.True(responses.GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        var schema = responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal("#/components/schemas/RowsResponse", schema);

        var download = paths.GetProperty("/api/v1/datasets/{id}/download").GetProperty("get");
        var format = download.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "format");
        Assert.Contains("parquet", format.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_dcat_catalogue_themes_and_dataset_routes_are_described_with_their_media_types()
    {
        using var client = factory.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        var paths = doc.RootElement.GetProperty("paths");
        string[] negotiated = ["text/turtle", "application/ld+json", "application/rdf+xml"];
        foreach (var path in new[] { "/catalog", "/catalog/themes" })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal(negotiated, get.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name));
            Assert.True(get.GetProperty("responses").TryGetProperty("406", out _), $"{path} lacks 406");
        }

        foreach (var (ext, type) in new[] { ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml") })
        {
            foreach (var path in new[] { $"/catalog.{ext}", $"/catalog/themes.{ext}", $"/datasets/{{id}}.{ext}" })
            {
                var get = paths.GetProperty(path).GetProperty("get");
                Assert.Equal([type], get.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name));
                Assert.True(get.GetProperty("responses").TryGetProperty("304", out _), $"{path} lacks 304");
            }

            var catalogue = paths.GetProperty($"/catalog.{ext}").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString());
            Assert.Equal(["page", "page_size"], catalogue.Order(StringComparer.Ordinal));
            var dataset = paths.GetProperty($"/datasets/{{id}}.{ext}").GetProperty("get");
            Assert.Equal("path", dataset.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "id").GetProperty("in").GetString());
            Assert.True(dataset.GetProperty("responses").TryGetProperty("404", out _));
        }

        Assert.Equal(["application/atom+xml"], paths.GetProperty("/feeds/datasets.atom").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name));
    }

    [Fact]
    public async Task Swagger_ui_is_served_at_swagger()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
