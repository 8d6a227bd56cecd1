using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Browser;

/// <summary>
/// The map preview of a dataset with coordinates in a real browser: outline and clustered points from the service alone (no tile
/// server), the filter re-querying the rows API, the table fallback, axe, 375 px, zh and en. Every wait is bounded: Playwright's
/// own waits by the context's default timeout, evaluations and counts by <see cref="BrowserChecks.CallTimeout"/>.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class MapFlowTests(BrowserFactory factory, ITestOutputHelper output)
{
    private const string Airport = "空港经济开发区";
    private const string RowsApi = "/api/v1/datasets/bus-stops/rows";

    private async Task<long> CountAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = factory.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var body = await http.GetFromJsonAsync<JsonElement>(RowsApi.TrimStart('/') + "?limit=0&count=exact" + query);
        return body.GetProperty("count").GetInt64();
    }

    private static Task<int> RowsInTableAsync(IPage page) =>
        BrowserChecks.BoundedAsync(page.Locator("[data-testid=map-table] tbody tr").CountAsync(), "counting the table's rows");

    private readonly List<string> scriptErrors = [];

    /// <summary>Waits (bounded) until the map has drawn <paramref name="points"/> points, or any number when null; a timeout names the page's script errors.</summary>
    private async Task WaitForMapAsync(IPage page, long? points = null)
    {
        var drawn = points is null ? "true" : $"document.getElementById('map').getAttribute('data-points') === '{points}'";
        try
        {
            await page.WaitForFunctionAsync($"document.getElementById('map').classList.contains('ready') && {drawn}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"the map did not draw {points?.ToString(CultureInfo.InvariantCulture) ?? "its"} points; script errors: {string.Join(" | ", scriptErrors)}", ex);
        }

        Assert.True(scriptErrors.Count == 0, "script errors: " + string.Join(" | ", scriptErrors));
    }

    [BrowserFact]
    public async Task Bus_stops_are_drawn_clustered_over_the_outline_and_the_filter_changes_the_points()
    {
        await using var context = await BrowserChecks.NewContextAsync(factory, new() { Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        page.PageError += (_, e) =>
        {
            lock (scriptErrors)
            {
                scriptErrors.Add(e);
            }
        };
        var elsewhere = new List<string>();
        var rowsRequests = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(factory.BaseAddress.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                lock (elsewhere)
                {
                    elsewhere.Add(r.Url);
                }
            }
            else if (new Uri(r.Url).AbsolutePath == RowsApi)
            {
                lock (rowsRequests)
                {
                    rowsRequests.Add(Uri.UnescapeDataString(new Uri(r.Url).Query));
                }
            }
        };

        var all = factory.Catalog.Current.Find("bus-stops")!.Current!.RowCount;
        await page.GotoAsync("/datasets/bus-stops");
        await WaitForMapAsync(page, all);

        // The outline comes from the service (four areas), drawn with no tile server: no tile images at all.
        Assert.Equal("4", await page.GetAttributeAsync("#map", "data-outline"));
        Assert.True(await BrowserChecks.BoundedAsync(page.Locator("#map .leaflet-overlay-pane path:not(.leaflet-interactive)").CountAsync(), "counting outline paths") >= 4, "the area outline is not drawn");
        Assert.Equal(0, await BrowserChecks.BoundedAsync(page.Locator("#map .leaflet-tile").CountAsync(), "counting tiles"));

        // Clusters plus single points are every row.
        await page.WaitForSelectorAsync("#map .marker-cluster");
        var clusters = await BrowserChecks.BoundedAsync(page.EvalOnSelectorAllAsync<int[]>("#map .marker-cluster span", "s => s.map(x => parseInt(x.textContent, 10))"), "reading the clusters");
        var single = await BrowserChecks.BoundedAsync(page.Locator("#map .leaflet-overlay-pane path.leaflet-interactive").CountAsync(), "counting single points");
        output.WriteLine($"{clusters.Length} clusters holding {clusters.Sum()} points, {single} single points");
        Assert.NotEmpty(clusters);
        Assert.True(clusters.All(c => c >= 2), "a cluster holds fewer than two points");
        Assert.Equal(all, clusters.Sum() + single);

        // The table fallback lists the same points, with header cells, in a labelled region screen readers can reach.
        Assert.Equal(all, await RowsInTableAsync(page));
        Assert.Equal("region", await page.GetAttributeAsync(".map-table-scroll", "role"));
        Assert.Equal("row", await page.GetAttributeAsync("[data-testid=map-table] tbody tr th", "scope"));
        Assert.True(await page.IsVisibleAsync("[data-testid=map-table]"), "the table fallback is not shown");
        await page.Locator("#map-section").ScrollIntoViewIfNeededAsync();
        await BrowserChecks.ShotAsync(page, "dataset-map");
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map", output);

        // The filter form re-queries the same rows API with the form's values and redraws points and table.
        var expected = await CountAsync("&district=" + Uri.EscapeDataString(Airport));
        Assert.InRange(expected, 1, all - 1);
        var before = rowsRequests.Count;
        await page.SelectOptionAsync("#map-district", Airport);
        await page.ClickAsync("[data-testid=map-form] button[type=submit]");
        await WaitForMapAsync(page, expected);
        Assert.Contains(rowsRequests.Skip(before), q => q.Contains("district=" + Airport, StringComparison.Ordinal));
        Assert.Equal(expected, await RowsInTableAsync(page));
        Assert.Contains("map-district=", page.Url, StringComparison.Ordinal);
        Assert.Contains(expected.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#map-status"), StringComparison.Ordinal);
        Assert.All(await BrowserChecks.BoundedAsync(page.EvalOnSelectorAllAsync<string[]>("[data-testid=map-table] tbody tr td:nth-child(2)", "c => c.map(x => x.textContent)"), "reading the table"),
            d => Assert.Equal(Airport, d));

        await page.FillAsync("#map-q", "大街");
        await page.ClickAsync("[data-testid=map-form] button[type=submit]");
        var both = await CountAsync("&district=" + Uri.EscapeDataString(Airport) + "&stop_name[contains]=" + Uri.EscapeDataString("大街"));
        Assert.InRange(both, 1, expected - 1);
        await WaitForMapAsync(page, both);
        Assert.Contains(rowsRequests.Skip(before), q => q.Contains("stop_name[contains]=大街", StringComparison.Ordinal));
        Assert.Equal(both, await RowsInTableAsync(page));
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map-filtered", output);

        // 375 px: the page with its map fits without sideways scrolling.
        await page.SetViewportSizeAsync(375, 800);
        await page.GotoAsync("/datasets/bus-stops");
        await WaitForMapAsync(page, all);
        var width = await BrowserChecks.BoundedAsync(page.EvaluateAsync<int>("document.documentElement.scrollWidth"), "measuring the page");
        Assert.True(width <= 375, $"the dataset page with its map is {width} px wide at a 375 px viewport");
        await BrowserChecks.ShotAsync(page, "dataset-map-375");
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map-375", output);

        // English.
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/language?culture=en&returnUrl=%2Fdatasets%2Fbus-stops");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Map", await page.InnerTextAsync("#map-title"));
        await WaitForMapAsync(page, all);
        Assert.Contains(all.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#map-status"), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", await page.InnerTextAsync("#map-status"));
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-map-en", output);
        Assert.True(elsewhere.Count == 0, "the map fetched from elsewhere: " + string.Join(", ", elsewhere.Distinct()));
    }

    [BrowserFact]
    public async Task Without_JavaScript_the_filter_and_the_table_still_work()
    {
        var expected = await CountAsync("&district=" + Uri.EscapeDataString(Airport));
        await using (var context = await BrowserChecks.NewContextAsync(factory, new() { Locale = "zh-CN", JavaScriptEnabled = false }))
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/datasets/bus-stops");
            Assert.False(await page.IsVisibleAsync("#map"));
            Assert.Equal(factory.Catalog.Current.Find("bus-stops")!.Current!.RowCount, await RowsInTableAsync(page));
            await page.SelectOptionAsync("#map-district", Airport);
            await page.ClickAsync("[data-testid=map-form] button[type=submit]");
            await page.WaitForURLAsync("**map-district=*");
            Assert.Equal(expected, await RowsInTableAsync(page));
            Assert.Contains(expected.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#map-status"), StringComparison.Ordinal);
        }

        // axe is a script, and a page with JavaScript disabled never settles its run (its timers do not fire): check the same
        // no-script page in a context that runs scripts but refuses the page's own.
        await using var scripted = await BrowserChecks.NewContextAsync(factory, new() { Locale = "zh-CN" });
        await scripted.RouteAsync("**/*.js*", route => route.AbortAsync());
        var fallback = await scripted.NewPageAsync();
        await fallback.GotoAsync("/datasets/bus-stops?map-district=" + Uri.EscapeDataString(Airport));
        Assert.False(await fallback.IsVisibleAsync("#map"));
        Assert.Equal(expected, await RowsInTableAsync(fallback));
        await BrowserChecks.AssertAccessibleAsync(fallback, "dataset-map-nojs", output);
    }
}
