using System.Text;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Browser;

/// <summary>What a citizen and a developer do in a real browser: search, open, preview, download, switch language, get a key, report an error, apply.</summary>
[Collection(BrowserTests.Name)]
public sealed class CatalogFlowTests(BrowserFactory factory, ITestOutputHelper output)
{
    [BrowserFact]
    public async Task Citizen_searches_opens_previews_downloads_switches_to_English_and_reports_an_error()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString(), AcceptDownloads = true, Locale = "zh-CN" });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        await ShotAsync(page, "home");
        await AssertAccessibleAsync(page, "home");

        await page.FillAsync("#q", "空气");
        await page.PressAsync("#q", "Enter");
        await page.WaitForURLAsync("**/datasets?q=*");
        Assert.Contains("q=%E7%A9%BA%E6%B0%94", page.Url, StringComparison.Ordinal);
        await ShotAsync(page, "search");
        await AssertAccessibleAsync(page, "search");

        await page.ClickAsync("a[href='/datasets/air-quality-hourly']");
        await page.WaitForURLAsync("**/datasets/air-quality-hourly");
        var rows = await page.Locator("[data-testid=preview] tbody tr").CountAsync();
        Assert.Equal(10, rows);
        Assert.Contains("XQ", await page.Locator("[data-testid=preview] tbody tr").First.InnerTextAsync(), StringComparison.Ordinal);
        // ECharts drew the chart from the embedded aggregate (progressive enhancement).
        await page.WaitForSelectorAsync("#chart.ready svg");
        await ShotAsync(page, "dataset");
        await page.Locator("#preview-title").ScrollIntoViewIfNeededAsync();
        await page.EvaluateAsync("document.getElementById('preview-title').scrollIntoView()");
        await ShotAsync(page, "dataset-preview");
        await AssertAccessibleAsync(page, "dataset");

        if (factory.HasRoute("/api/v1/datasets/{id}/download", "GET"))
        {
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a[data-format=csv]"));
            var path = Path.Combine(BrowserFactory.ArtifactsFolder, "air-quality-hourly.csv");
            await download.SaveAsAsync(path);
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(bytes.Length > 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "the CSV has no UTF-8 BOM");
            var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("station_code,", lines[0], StringComparison.Ordinal);
            Assert.Equal(factory.Catalog.Current.Find("air-quality-hourly")!.Current!.RowCount, lines.Length - 1);
        }
        else
        {
            output.WriteLine("The REST download endpoint is not in this build yet: download link present, file not checked.");
            Assert.Equal("/api/v1/datasets/air-quality-hourly/download?format=csv", await page.GetAttributeAsync("a[data-format=csv]", "href"));
        }

        await page.ClickAsync("[data-testid=lang-toggle]");
        await page.WaitForFunctionAsync("document.documentElement.lang === 'en'");
        Assert.EndsWith("/datasets/air-quality-hourly", page.Url, StringComparison.Ordinal);
        Assert.Contains("Chinese label", await page.ContentAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "dataset-en");
        await page.GotoAsync("/");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang")); // remembered by the cookie

        await page.GotoAsync("/datasets/air-quality-hourly#feedback");
        await page.CheckAsync("input[name='Feedback.Kind'][value=error]");
        await page.SelectOptionAsync("#fb-field", "aqi");
        await page.FillAsync("#fb-message", "The AQI of station XQ001 at 2023-01-01 00:00 looks too high.");
        await page.ClickAsync("[data-testid=feedback-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=feedback-result].success");
        await ShotAsync(page, "feedback");
    }

    [BrowserFact]
    public async Task Pages_fit_a_375_pixel_wide_screen_without_sideways_scrolling()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString(), ViewportSize = new() { Width = 375, Height = 800 } });
        var page = await context.NewPageAsync();
        foreach (var (url, name) in new[] { ("/", "home-375"), ("/datasets?q=%E7%A9%BA%E6%B0%94", "search-375"), ("/datasets/air-quality-hourly", "dataset-375"), ("/developers", "developers-375") })
        {
            await page.GotoAsync(url);
            var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            Assert.True(width <= 375, $"{url} is {width} px wide at a 375 px viewport");
            await ShotAsync(page, name);
        }
    }

    [BrowserFact]
    public async Task Keyboard_users_reach_the_main_content_with_the_skip_link()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/datasets");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await page.EvaluateAsync<string>("document.activeElement.className"));
        await page.Keyboard.PressAsync("Enter");
        Assert.EndsWith("#main", page.Url, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task Developer_gets_an_API_key_and_applies_for_a_conditional_dataset()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/developers");
        await AssertAccessibleAsync(page, "developers");
        await page.FillAsync("#k-name", "张三");
        await page.FillAsync("#k-org", "长春新区某研究院");
        await page.FillAsync("#k-email", "zhangsan@example.com");
        await page.ClickAsync("[data-testid=key-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=key-result]");
        await ShotAsync(page, "developers-key");

        if (!factory.HasRoute("/api/v1/keys", "POST"))
        {
            output.WriteLine("POST /api/v1/keys is not in this build yet: the page reports the refusal.");
            Assert.Contains("error", await page.GetAttributeAsync("[data-testid=key-result]", "class") ?? "", StringComparison.Ordinal);
            return;
        }

        var key = (await page.InnerTextAsync("[data-testid=new-key]")).Trim();
        Assert.False(string.IsNullOrEmpty(key));
        await page.GotoAsync("/developers");
        Assert.Equal(0, await page.Locator("[data-testid=new-key]").CountAsync()); // shown once

        await page.GotoAsync("/datasets/enterprise-energy-consumption");
        Assert.Equal(0, await page.Locator("[data-testid=preview]").CountAsync());
        await page.FillAsync("#ap-key", key);
        await page.FillAsync("#ap-purpose", "研究新区重点企业的能耗强度变化，支撑节能政策评估。");
        await page.FillAsync("#ap-scenario", "高校课题组的统计分析，不对外发布企业个体数据。");
        await page.FillAsync("#ap-org", "长春新区某研究院");
        await page.FillAsync("#ap-until", DateTime.UtcNow.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#ap-security", "数据存放在内网服务器，专人专机访问，用后删除。");
        await page.CheckAsync("input[name='Apply.AcceptTerms']");
        await page.ClickAsync("[data-testid=apply-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=apply-result]");
        await ShotAsync(page, "apply");
        Assert.Contains("success", await page.GetAttributeAsync("[data-testid=apply-result]", "class") ?? "", StringComparison.Ordinal);
    }

    private Task AssertAccessibleAsync(IPage page, string name) => BrowserChecks.AssertAccessibleAsync(page, name, output);

    private static Task ShotAsync(IPage page, string name) => BrowserChecks.ShotAsync(page, name);
}
