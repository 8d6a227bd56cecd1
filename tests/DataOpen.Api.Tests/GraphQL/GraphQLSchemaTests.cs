using System.Net;
using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.GraphQL;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Tests.GraphQL;

[Collection(ApiTests.Name)]
public sealed class GraphQLSchemaTests(DataOpenFactory factory)
{
    private static string ContractPath => Path.Combine(RepoPaths.RepositoryRoot!, "openapi", "dataopen.graphql");

    /// <summary>The sample catalog only: other tests publish datasets into the shared instance.</summary>
    private CatalogSnapshot SampleSnapshot()
    {
        var ids = Directory.GetDirectories(Path.Combine(RepoPaths.RepositoryRoot!, "datasets"))
            .Select(d => Path.Combine(d, "dataset.json")).Where(File.Exists)
            .Select(f => JsonSerializer.Deserialize<DatasetDefinition>(File.ReadAllText(f), DatasetDefinition.JsonOptions)!.Identifier)
            .ToHashSet(StringComparer.Ordinal);
        var s = factory.Catalog.Current;
        return new CatalogSnapshot(s.CatalogVersion, s.Datasets.Where(d => ids.Contains(d.Identifier)).ToList(), s.Publishers, s.ThemeSchemes, s.Themes, s.Licenses);
    }

    [Fact]
    public void Committed_SDL_matches_the_schema_of_the_sample_catalog()
    {
        var sdl = SchemaBuilder.PrintSdl(SchemaBuilder.Build(SampleSnapshot(), new GraphQLLimits()).Schema);
        if (Environment.GetEnvironmentVariable("DATAOPEN_UPDATE_CONTRACTS") == "1")
        {
            File.WriteAllText(ContractPath, sdl);
        }

        Assert.True(File.Exists(ContractPath), "openapi/dataopen.graphql is missing; run the tests with DATAOPEN_UPDATE_CONTRACTS=1 to write it.");
        var committed = File.ReadAllText(ContractPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (committed != sdl)
        {
            var a = committed.Split('\n');
            var b = sdl.Split('\n');
            var line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
            Assert.Fail($"openapi/dataopen.graphql is out of date at line {line + 1}:\n  committed: {a.ElementAtOrDefault(line)}\n  schema:    {b.ElementAtOrDefault(line)}\n" +
                "If the change is intended, run the tests with DATAOPEN_UPDATE_CONTRACTS=1 and commit the file.");
        }
    }

    [Fact]
    public void Sample_schema_has_typed_rows_for_open_and_conditional_datasets_only()
    {
        var sdl = SchemaBuilder.PrintSdl(SchemaBuilder.Build(SampleSnapshot(), new GraphQLLimits()).Schema);
        Assert.Contains("airQualityHourly(", sdl, StringComparison.Ordinal);
        Assert.Contains("enterpriseEnergyConsumption(", sdl, StringComparison.Ordinal);
        Assert.DoesNotContain("enterpriseTaxDetails", sdl, StringComparison.Ordinal);
        Assert.DoesNotContain("EnterpriseTaxDetails", sdl, StringComparison.Ordinal);
        // Chinese labels become descriptions; bigint columns use the string-serialised BigInt scalar.
        Assert.Contains("细颗粒物", sdl, StringComparison.Ordinal);
        Assert.Contains("gpu_card_hours: BigInt", sdl, StringComparison.Ordinal);
        Assert.Contains("co: Decimal", sdl, StringComparison.Ordinal);
        Assert.Contains("input AirQualityHourlyFilter", sdl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Introspection_answers_the_October_2021_fields_specifiedByURL_isRepeatable_and_includeDeprecated_everywhere()
    {
        using var client = factory.CreateClient();
        var r = await client.PostAsync("""
            { date: __type(name: "Date") { specifiedByURL } string: __type(name: "String") { specifiedByURL }
              __schema { description directives { name isRepeatable args(includeDeprecated: true) { name isDeprecated deprecationReason } } }
              filter: __type(name: "StringFilter") { inputFields(includeDeprecated: true) { name isDeprecated } }
              query: __type(name: "Query") { fields { name args(includeDeprecated: true) { name isDeprecated } } } }
            """);
        Assert.True(r.Status == HttpStatusCode.OK && !r.HasErrors, r.ToString());
        var data = r.Body.GetProperty("data");
        Assert.Equal(IntrospectionConformance.DateSpec, data.GetProperty("date").GetProperty("specifiedByURL").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("string").GetProperty("specifiedByURL").ValueKind);
        var directives = data.GetProperty("__schema").GetProperty("directives").EnumerateArray().ToList();
        var specifiedBy = Assert.Single(directives, d => d.GetProperty("name").GetString() == "specifiedBy");
        Assert.Equal("url", Assert.Single(specifiedBy.GetProperty("args").EnumerateArray()).GetProperty("name").GetString());
        Assert.NotEmpty(data.GetProperty("filter").GetProperty("inputFields").EnumerateArray());
    }

    [NodeFact]
    public async Task Standard_introspection_result_is_a_valid_schema_for_graphql_js_and_matches_the_served_SDL()
    {
        Assert.True(Node.Available, "node is required when CI=true: install nodejs and npm (.ci/run does).");
        var (code, introspectionQuery) = await Node.RunScriptAsync("--query");
        Assert.True(code == 0, introspectionQuery);

        using var client = factory.CreateClient();
        var r = await client.PostAsync(introspectionQuery);
        Assert.True(r.Status == HttpStatusCode.OK && !r.HasErrors, r.ToString()[..Math.Min(2000, r.ToString().Length)]);
        var sdl = await client.GetStringAsync("/graphql/schema.graphql");

        var dir = Directory.CreateTempSubdirectory("dataopen-gql-");
        try
        {
            var introspectionFile = Path.Combine(dir.FullName, "introspection.json");
            var sdlFile = Path.Combine(dir.FullName, "schema.graphql");
            await File.WriteAllTextAsync(introspectionFile, r.Body.GetRawText());
            await File.WriteAllTextAsync(sdlFile, sdl);
            var (exit, output) = await Node.RunScriptAsync(introspectionFile, sdlFile);
            Assert.True(exit == 0, output);
            Assert.StartsWith("valid:", output.Trim(), StringComparison.Ordinal);
            // The October 2021 additions arrive in graphql-js's client schema: scalar specifications and the built-in @specifiedBy.
            Assert.Contains("Date=" + IntrospectionConformance.DateSpec, output, StringComparison.Ordinal);
            Assert.Contains("DateTime=" + IntrospectionConformance.DateTimeSpec, output, StringComparison.Ordinal);
            Assert.Contains(" specifiedBy", output[output.IndexOf("directives:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
