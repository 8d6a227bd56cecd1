using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Browser;

/// <summary>Checks every browser flow makes: axe finds nothing serious or critical; screenshots for the docs.</summary>
public static class BrowserChecks
{
    private static readonly string[] BlockingImpacts = ["serious", "critical"];

    public static async Task AssertAccessibleAsync(IPage page, string name, ITestOutputHelper output)
    {
        AxeResult result = await page.RunAxe();
        var blocking = result.Violations.Where(v => BlockingImpacts.Contains(v.Impact)).ToList();
        foreach (var v in result.Violations)
        {
            output.WriteLine($"{name}: {v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})");
        }

        Assert.True(blocking.Count == 0, $"{name}: {string.Join("; ", blocking.Select(v => $"{v.Impact} {v.Id} {v.Help}"))}");
    }

    public static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFactory.ArtifactsFolder, name + ".png"), FullPage = false });
}
