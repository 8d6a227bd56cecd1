using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Browser;

/// <summary>Checks every browser flow makes: axe finds nothing serious or critical; screenshots for the docs.</summary>
public static class BrowserChecks
{
    /// <summary>Playwright's default for every action and wait of a browser test (its own default is 30 s; set on each context).</summary>
    public const float DefaultTimeoutMs = 30_000;

    /// <summary>
    /// The longest a call without a Playwright timeout (evaluate, locator counts, axe) may take. Evaluations have no timeout of
    /// their own: a promise that never settles in the page (axe.run in a page whose scripts cannot run waits for timers that never
    /// fire) would otherwise hold the test for ever. Generous: axe on a dataset page took over 60 s in a full suite run on two
    /// loaded cores (load average above 30); the bound is there to end a hang, not to time the page.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(4);

    private static readonly string[] BlockingImpacts = ["serious", "critical"];

    /// <summary>A context for a browser test with every Playwright wait bounded by <see cref="DefaultTimeoutMs"/>.</summary>
    public static async Task<IBrowserContext> NewContextAsync(BrowserFactory factory, BrowserNewContextOptions options)
    {
        options.BaseURL ??= factory.BaseAddress.ToString();
        var context = await factory.Browser.NewContextAsync(options);
        context.SetDefaultTimeout(DefaultTimeoutMs);
        context.SetDefaultNavigationTimeout(DefaultTimeoutMs);
        return context;
    }

    /// <summary>A call that Playwright does not bound itself, failed with <paramref name="what"/> named after <see cref="CallTimeout"/>.</summary>
    public static async Task<T> BoundedAsync<T>(Task<T> call, string what)
    {
        try
        {
            return await call.WaitAsync(CallTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{what} did not finish within {CallTimeout.TotalSeconds:0} s", ex);
        }
    }

    public static async Task AssertAccessibleAsync(IPage page, string name, ITestOutputHelper output)
    {
        // axe.run settles through the page's timers; where they never fire (JavaScript disabled) its promise never settles.
        var timers = page.EvaluateAsync<bool>("() => new Promise(resolve => setTimeout(() => resolve(true), 0))");
        Assert.True(await Task.WhenAny(timers, Task.Delay(TimeSpan.FromSeconds(10))) == timers && await timers,
            $"{name}: the page's timers do not fire (JavaScript disabled?), so axe cannot run there; check a no-JavaScript page in a context that blocks the page's scripts instead");
        AxeResult result = await BoundedAsync(page.RunAxe(), $"axe on {name}");
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
