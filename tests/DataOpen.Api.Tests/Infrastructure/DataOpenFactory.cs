using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataOpen.Api.Tests.Infrastructure;

/// <summary>
/// The service on its own throwaway PostgreSQL cluster (provisioned from the machine's binaries in a
/// temporary folder, exactly as the embedded default does under .data/), seeded with the sample catalog.
/// </summary>
public class DataOpenFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dataopen-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Extra settings of a derived factory.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public Database Database => Services.GetRequiredService<Database>();

    public CatalogStore Catalog => Services.GetRequiredService<CatalogStore>();

    /// <summary>Every log message of this instance, for tests that check what is (not) logged.</summary>
    public LogSink Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DataOpen:DataDirectory", DataDirectory);
        builder.UseSetting("DataOpen:EphemeralDatabase", "true");
        builder.UseSetting("DataOpen:AdminKey", AdminKey);
        // TestServer listens on no port. Without this the entry point probes appsettings' port 5080, and when several
        // factories start at once one probe finds another's probe listening, reports the port taken and returns
        // before the host starts: that fixture's tests then fail in milliseconds with "The database is not open yet".
        builder.UseSetting("urls", "http://127.0.0.1:0");
        // All tests share one anonymous bucket (TestServer has no client IP) and run in parallel: lift
        // the anonymous and registered limits. The access tests shrink two tiers nobody else uses
        // (research: bursts of 3 and almost no refill; partner: a daily quota of 4) to test 429s.
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["DataOpen:Access:Tiers:anonymous:RatePerSecond"] = "100000",
            ["DataOpen:Access:Tiers:anonymous:Burst"] = "1000000",
            ["DataOpen:Access:Tiers:anonymous:DailyQuota"] = "1000000000",
            ["DataOpen:Access:Tiers:registered:RatePerSecond"] = "100000",
            ["DataOpen:Access:Tiers:registered:Burst"] = "1000000",
            ["DataOpen:Access:Tiers:registered:DailyQuota"] = "1000000000",
            ["DataOpen:Access:Tiers:research:RatePerSecond"] = "0.001",
            ["DataOpen:Access:Tiers:research:Burst"] = "3",
            ["DataOpen:Access:Tiers:partner:DailyQuota"] = "4",
            // Webhook receivers in tests listen on loopback over http; retries are quick and few.
            ["DataOpen:Webhooks:RequireHttps"] = "false",
            ["DataOpen:Webhooks:AllowLoopback"] = "true",
            ["DataOpen:Webhooks:InitialRetrySeconds"] = "0.3",
            ["DataOpen:Webhooks:MaxRetrySeconds"] = "1",
            ["DataOpen:Webhooks:MaxAttempts"] = "3",
            ["DataOpen:Webhooks:DisableAfterFailures"] = "4",
            ["DataOpen:Webhooks:PollSeconds"] = "0.5",
            ["DataOpen:Webhooks:TimeoutSeconds"] = "3",
            // Every factory publishes the sample catalog: digesting the 210,433-row air-quality-hourly in six formats in
            // each would load the shared machine for nothing; the harvest tests check digests on their own datasets.
            ["DataOpen:Digests:MaxRows"] = "100000",
        })
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(l => l.AddProvider(Logs));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public Task InitializeAsync()
    {
        // Creating the server starts the host: provisioning, migrations and seeding run here once.
        _ = Server;
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeWithClusterAsync();

    /// <summary>
    /// Disposes the factory and waits until the throwaway cluster is stopped and its folder removed. Disposing
    /// the factory alone does not wait for the host's services to finish disposing, so the test process could
    /// exit while the cluster was still being stopped and leave its folder in /tmp.
    /// </summary>
    public async Task DisposeWithClusterAsync()
    {
        var database = Database;
        await DisposeAsync();
        await database.DisposeAsync();
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiTests : ICollectionFixture<DataOpenFactory>
{
    public const string Name = "api";
}
