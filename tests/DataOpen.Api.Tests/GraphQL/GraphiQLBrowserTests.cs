using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>A test that needs a Chromium binary: required when CI=true, skipped with a reason elsewhere.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "chromium is not installed: the GraphiQL browser test runs where it is (always in CI, where .ci/run installs it).";
        }
    }
}

[Collection(ApiTests.Name)]
public sealed class GraphiQLBrowserTests(DataOpenFactory factory)
{
    private const string Origin = "http://dataopen.test";

    [ChromiumFact]
    public async Task GraphiQL_loads_from_the_service_alone_introspects_and_runs_the_default_query()
    {
        using var client = factory.CreateClient();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var foreign = new List<string>();
        var consoleErrors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                consoleErrors.Add(m.Text);
            }
        };

        // Every request goes through the in-memory test server; anything aimed elsewhere (a CDN) is recorded and refused.
        await page.RouteAsync("**/*", async route =>
        {
            var request = route.Request;
            if (!request.Url.StartsWith(Origin + "/", StringComparison.Ordinal))
            {
                foreign.Add(request.Url);
                await route.AbortAsync();
                return;
            }

            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url[Origin.Length..]);
            if (request.PostDataBuffer is { } body)
            {
                message.Content = new ByteArrayContent(body);
                if (request.Headers.TryGetValue("content-type", out var type))
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }
            }

            if (request.Headers.TryGetValue("accept", out var accept))
            {
                message.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var response = await client.SendAsync(message);
            await route.FulfillAsync(new()
            {
                Status = (int)response.StatusCode,
                ContentType = response.Content.Headers.ContentType?.ToString(),
                BodyBytes = await response.Content.ReadAsByteArrayAsync(),
            });
        });

        await page.GotoAsync(Origin + "/graphql");
        await page.WaitForSelectorAsync(".graphiql-container", new() { Timeout = 30_000 });
        // The schema arrives by introspection: the docs explorer can then list the Query type.
        await page.ClickAsync("button[aria-label='Show Documentation Explorer']");
        await page.WaitForSelectorAsync("text=airQualityHourly", new() { Timeout = 30_000 });

        await page.ClickAsync(".graphiql-execute-button");
        var result = page.Locator(".graphiql-response");
        await result.GetByText("totalCount").First.WaitForAsync(new() { Timeout = 30_000 });
        var text = await result.InnerTextAsync();
        Assert.Contains("air-quality-hourly", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"errors\"", text, StringComparison.Ordinal);
        Assert.Empty(foreign);
        Assert.Empty(consoleErrors);
    }
}
