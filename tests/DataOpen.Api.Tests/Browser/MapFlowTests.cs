using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Browser;

/// <summary>The map preview of a dataset with coordinates in a real browser: outline and clustered points from the service alone, the filter, the table fallback.</summary>
[Collection(BrowserTests.Name)]
public sealed class MapFlowTests(BrowserFactory factory, ITestOutputHelper output)
{
    private const string Airport = "空港经济开发区";

    private async Task<long> CountAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = factory.BaseAddress };
        var body = await http.GetFromJsonAsync<JsonElement>("api/v1/datasets/bus-stops/rows?limit=0&count=exact" + query);
        return body.GetProperty("count").GetInt64();
    }

    [BrowserFact]
    public async Task Bus_stops_are_drawn_clustered_over_the_outline_and_the_filter_changes_the_points()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString(), Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        var elsewhere = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(factory.BaseAddress.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                elsewhere.Add(r.Url);
            }
        };

        var all = factory.Catalog.Current.Find("bus-stops")!.Current!.RowCount;
        await page.GotoAsync("/datasets/bus-stops");
        await page.WaitForSelectorAsync("#map.ready");
        Assert.Equal(all.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetAttributeAsync("#map", "data-points"));
        Assert.Equal("4", await page.GetAttributeAsync("#map", "data-outline"));
        Assert.True(await page.Locator("#map .leaflet-overlay-pane path").CountAsync() >= 4, "the area outline is not drawn");
        await page.WaitForSelectorAsync("#map .marker-cluster");
        var clusters = await page.EvalOnSelectorAllAsync<int[]>("#map .marker-cluster span", "s => s.map(x => parseInt(x.textContent, 10))");
        var single = await page.Locator("#map .leaflet-overlay-pane path.leaflet-interactive").CountAsync();
        output.WriteLine($"{clusters.Length} clusters holding {clusters.Sum()} points, {single} single points");
        Assert.NotEmpty(clusters);
        Assert.Equal(all, clusters.Sum() + single);
        Assert.Equal(all, await page.Locator("[data-testid=map-table] tbody tr").CountAsync());
        await page.Locator("#map-section").ScrollIntoViewIfNeededAsync();
        await BrowserChecks.ShotAsync(page, "dataset-map");
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map", output);

        var expected = await CountAsync("&district=" + Uri.EscapeDataString(Airport));
        Assert.InRange(expected, 1, all - 1);
        await page.SelectOptionAsync("#map-district", Airport);
        await page.ClickAsync("[data-testid=map-form] button[type=submit]");
        await page.WaitForFunctionAsync($"document.getElementById('map').getAttribute('data-points') === '{expected}' && document.getElementById('map').classList.contains('ready')");
        Assert.Equal(expected, await page.Locator("[data-testid=map-table] tbody tr").CountAsync());
        Assert.Contains("map-district=", page.Url, StringComparison.Ordinal);
        Assert.Contains(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync("#map-status"), StringComparison.Ordinal);
        Assert.All(await page.EvalOnSelectorAllAsync<string[]>("[data-testid=map-table] tbody tr td:nth-child(2)", "c => c.map(x => x.textContent)"), d => Assert.Equal(Airport, d));

        await page.FillAsync("#map-q", "大街");
        await page.ClickAsync("[data-testid=map-form] button[type=submit]");
        var both = await CountAsync("&district=" + Uri.EscapeDataString(Airport) + "&stop_name[contains]=" + Uri.EscapeDataString("大街"));
        await page.WaitForFunctionAsync($"document.getElementById('map').getAttribute('data-points') === '{both}' && document.getElementById('map').classList.contains('ready')");
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map-filtered", output);

        await page.SetViewportSizeAsync(375, 800);
        await page.GotoAsync("/datasets/bus-stops");
        await page.WaitForSelectorAsync("#map.ready");
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 375, $"the dataset page with its map is {width} px wide at a 375 px viewport");
        await BrowserChecks.ShotAsync(page, "dataset-map-375");

        await page.GotoAsync("/language?culture=en&returnUrl=%2Fdatasets%2Fbus-stops");
        Assert.Equal("Map", await page.InnerTextAsync("#map-title"));
        await page.WaitForSelectorAsync("#map.ready");
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map-en", output);
        Assert.True(elsewhere.Count == 0, "the map fetched from elsewhere: " + string.Join(", ", elsewhere.Distinct()));
    }

    [BrowserFact]
    public async Task Without_JavaScript_the_filter_and_the_table_still_work()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString(), Locale = "zh-CN", JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/datasets/bus-stops");
        Assert.False(await page.IsVisibleAsync("#map"));
        await page.SelectOptionAsync("#map-district", Airport);
        await page.ClickAsync("[data-testid=map-form] button[type=submit]");
        await page.WaitForURLAsync("**map-district=*");
        Assert.Equal(await CountAsync("&district=" + Uri.EscapeDataString(Airport)), await page.Locator("[data-testid=map-table] tbody tr").CountAsync());
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map-nojs", output);
    }
}
