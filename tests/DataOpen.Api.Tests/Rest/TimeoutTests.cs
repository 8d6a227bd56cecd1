using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Rest;

/// <summary>A service whose public reads may run one second, without the sample catalog (a test dataset is enough).</summary>
public sealed class OneSecondFactory : DataOpenFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataOpen:StatementTimeoutSeconds", "1"),
        new("DataOpen:DownloadTimeoutSeconds", "1"),
        new("DataOpen:SeedOnStart", "false"),
    ];
}

public sealed class TimeoutTests(OneSecondFactory factory) : IClassFixture<OneSecondFactory>
{
    /// <summary>Per row: 300 copies of the station name joined, then lower/upper-cased 20 times; about 10 µs a row, seconds for the table.</summary>
    private static string Expensive() =>
        string.Concat(Enumerable.Repeat("tolower(toupper(", 10)) + "concat(" + string.Join(",", Enumerable.Repeat("station", 300)) + ")" +
        new string(')', 20) + " eq 'never'";

    [Fact]
    public async Task A_runaway_query_becomes_a_503_problem_quickly_in_rows_and_downloads()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-slow"));
        var folder = TestDatasets.WriteCsvFolder(def, 150_000);
        await RestFixtures.PublishAsync(factory, def, Path.Combine(folder, "data.csv"));
        using var client = factory.CreateClient();

        foreach (var endpoint in new[] { "rows?count=exact&", "download?format=csv&", "download?format=json&" })
        {
            var clock = Stopwatch.StartNew();
            var response = await client.GetAsync($"/api/v1/datasets/{def.Identifier}/{endpoint}filter={Uri.EscapeDataString(Expensive())}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{endpoint}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("took longer", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{endpoint} took {clock.Elapsed}");
        }

        // The same dataset still answers ordinary queries.
        var ok = await client.GetAsync($"/api/v1/datasets/{def.Identifier}/rows?limit=3");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
