using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DataOpen:DataDirectory", DataDirectory);
        builder.UseSetting("DataOpen:EphemeralDatabase", "true");
        builder.UseSetting("DataOpen:AdminKey", AdminKey);
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

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

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
