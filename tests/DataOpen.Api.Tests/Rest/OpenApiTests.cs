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
        Assert.All(paths.EnumerateObject(), p => Assert.StartsWith("/api/", p.Name, StringComparison.Ordinal));
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
    public async Task Swagger_ui_is_served_at_swagger()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
