using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Browser;

/// <summary>A citizen rates a dataset and submits a reuse in a real browser; a steward publishes it and it shows on the dataset page and the home page.</summary>
[Collection(BrowserTests.Name)]
public sealed class CommunityFlowTests(BrowserFactory factory, ITestOutputHelper output)
{
    [BrowserFact]
    public async Task Citizen_rates_a_dataset_and_submits_a_reuse_that_appears_once_published()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { BaseURL = factory.BaseAddress.ToString(), Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/datasets/featured-parks");
        await page.Locator("[data-testid=related] a").First.WaitForAsync();
        await page.CheckAsync("[data-testid=rating-form] input[name=Stars][value='5']");
        var comment = "数据很全，建议增加开放时间 " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("#rating-comment", comment);
        await page.ClickAsync("[data-testid=rating-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=rating-result]");
        Assert.Contains("success", await page.GetAttributeAsync("[data-testid=rating-result]", "class") ?? "", StringComparison.Ordinal);
        Assert.Contains(comment, await page.InnerTextAsync("[data-testid=rating-comments]"), StringComparison.Ordinal);
        await BrowserChecks.AssertAccessibleAsync(page, "dataset-community", output);
        await BrowserChecks.ShotAsync(page, "ratings");

        var title = "公园打卡地图 " + Guid.NewGuid().ToString("N")[..6];
        await page.ClickAsync("[data-testid=dataset-reuses] a[href^='/reuses']");
        await page.WaitForSelectorAsync("[data-testid=reuse-form]");
        await BrowserChecks.AssertAccessibleAsync(page, "reuses", output);
        await page.FillAsync("#r-title", title);
        await page.FillAsync("#r-description", "把新区公园的位置和设施做成一张可筛选的地图。");
        await page.SelectOptionAsync("#r-kind", "visualisation");
        await page.FillAsync("#r-url", "https://example.org/parks-map");
        await page.FillAsync("#r-submitter", "新区市民");
        await page.FillAsync("#r-contact", "citizen@example.org");
        Assert.Contains("featured-parks", await page.EvalOnSelectorAllAsync<string[]>("#r-datasets option:checked", "o => o.map(x => x.value)"));
        await page.ClickAsync("[data-testid=reuse-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=reuse-result]");
        Assert.Contains("success", await page.GetAttributeAsync("[data-testid=reuse-result]", "class") ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(title, await page.ContentAsync(), StringComparison.Ordinal); // not before a steward publishes it

        using var admin = factory.CreateAdminClient();
        var pending = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(admin, "/api/v1/steward/reuses?status=pending");
        var id = pending.EnumerateArray().Single(r => r.GetProperty("title").GetString() == title).GetProperty("id").GetInt64();
        (await admin.PostAsync($"/api/v1/steward/reuses/{id}/publish", null)).EnsureSuccessStatusCode();

        await page.GotoAsync("/datasets/featured-parks#reuses");
        Assert.Contains(title, await page.InnerTextAsync("[data-testid=dataset-reuses]"), StringComparison.Ordinal);
        await page.GotoAsync("/");
        Assert.Contains(title, await page.InnerTextAsync("[data-testid=latest-reuses]"), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("[data-testid=best-rated] a[href='/datasets/featured-parks']").CountAsync());
        await BrowserChecks.AssertAccessibleAsync(page, "home", output);

        await page.SetViewportSizeAsync(375, 800);
        foreach (var url in new[] { "/reuses", "/datasets/featured-parks" })
        {
            await page.GotoAsync(url);
            var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            Assert.True(width <= 375, $"{url} is {width} px wide at a 375 px viewport");
        }

        await page.GotoAsync("/language?culture=en&returnUrl=%2Freuses");
        Assert.Contains("Reuses", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
    }
}
