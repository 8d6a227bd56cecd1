using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Publishing;

public static class PublishingSetup
{
    /// <summary>Ingest and publishing, the reference seeds and the sample catalog, with their start-up steps.</summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services)
    {
        services.AddSingleton<SeedLoader>();
        services.AddSingleton<DatasetPublisher>();
        // First contributor of every version's index plan; Indexing adds the kept adaptive indexes after it.
        services.AddOptions<IndexPlanOptions>().BindConfiguration(IndexPlanOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IIndexPlanContributor, VersionIndexPlanner>();
        services.AddSingleton<CatalogSeeder>();
        // The size and sha256 of every download format, once per version, for DCAT and the Data Packages.
        services.AddOptions<DistributionDigestOptions>().BindConfiguration(DistributionDigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DistributionDigests>();
        services.AddHostedService<DistributionDigesting>();
        services.AddSingleton<IStartupStep, StrayTablesStep>();
        services.AddSingleton<IStartupStep, SeedStep>();
        services.AddSingleton<IStartupStep, SampleCatalogStep>();
        return services;
    }

    /// <summary>Removes the tables of publishes that were killed before they registered their version.</summary>
    private sealed class StrayTablesStep(Database database, ILogger<StrayTablesStep> logger) : IStartupStep
    {
        public int Order => 100;

        public async Task RunAsync(CancellationToken ct)
        {
            var dropped = await StrayTables.DropAsync(database.Writer, ct);
            if (dropped.Count > 0)
            {
                logger.LogWarning("Dropped {Count} stray tables left by interrupted publishes: {Tables}", dropped.Count, string.Join(", ", dropped));
            }
        }
    }

    /// <summary>Publishers, themes, licences and tiers from <c>seeds/</c>.</summary>
    private sealed class SeedStep(SeedLoader seeds) : IStartupStep
    {
        public int Order => 200;

        public Task RunAsync(CancellationToken ct) => seeds.LoadAsync(ct);
    }

    /// <summary>Publishes the sample datasets under <c>datasets/</c> that changed since the last start, then reloads the snapshot.</summary>
    private sealed class SampleCatalogStep(CatalogSeeder seeder, CatalogStore catalog, IOptions<DataOpenOptions> options) : IStartupStep
    {
        public int Order => 500;

        public async Task RunAsync(CancellationToken ct)
        {
            if (options.Value.SeedOnStart)
            {
                await seeder.PublishChangedAsync(ct);
            }

            await catalog.ReloadAsync(ct);
        }
    }
}
