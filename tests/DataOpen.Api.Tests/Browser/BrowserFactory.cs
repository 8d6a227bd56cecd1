using System.Net;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace DataOpen.Api.Tests.Browser;

/// <summary>
/// The service on a real Kestrel port of 127.0.0.1 (own throwaway cluster, seeded sample catalog) and a
/// headless Debian Chromium driven by Playwright. Playwright's own browser downloads are never used.
/// </summary>
public sealed class BrowserFactory : DataOpenFactory, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public BrowserFactory() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Screenshots of every page the flow visits (test artifacts).</summary>
    public static string ArtifactsFolder { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public static bool ChromiumMissingLocally =>
        !File.Exists(ChromiumPath) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    async Task IAsyncLifetime.InitializeAsync()
    {
        if (ChromiumMissingLocally)
        {
            return; // every test is skipped; don't start a cluster for nothing.
        }

        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Directory.CreateDirectory(ArtifactsFolder);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (!ChromiumMissingLocally)
        {
            await DisposeWithClusterAsync();
        }
    }

    /// <summary>True when another branch's endpoint (downloads, keys, applications) is part of this build.</summary>
    public bool HasRoute(string pattern, string method) =>
        Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Any(e =>
            string.Equals("/" + e.RoutePattern.RawText?.TrimStart('/'), pattern, StringComparison.OrdinalIgnoreCase)
            && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? false));
}

/// <summary>
/// A browser test: skipped with a reason when Chromium is not installed on a developer machine, but
/// never skipped in CI (CI=true), where a missing browser must fail the run.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserFactory.ChromiumMissingLocally)
        {
            Skip = $"Chromium is not installed at {BrowserFactory.ChromiumPath} (apt-get install chromium); CI installs it and runs these tests.";
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFactory>
{
    public const string Name = "browser";
}
