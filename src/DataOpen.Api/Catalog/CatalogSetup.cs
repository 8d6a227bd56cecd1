using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Catalog;

public static class CatalogSetup
{
    /// <summary>The metadata registry: the store with its snapshot, search, and the listener that swaps snapshots on other instances' changes.</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<CatalogSearch>();
        services.AddSingleton<IStartupStep, CatalogLoadStep>();
        return services;
    }

    /// <summary>The web host also follows changes made by other instances.</summary>
    public static IServiceCollection AddCatalogListener(this IServiceCollection services)
    {
        services.AddHostedService<CatalogChangeListener>();
        return services;
    }

    /// <summary>Loads the first catalog snapshot once the reference seeds and statistics are in place.</summary>
    private sealed class CatalogLoadStep(CatalogStore catalog) : IStartupStep
    {
        public int Order => 400;

        public Task RunAsync(CancellationToken ct) => catalog.ReloadAsync(ct);
    }
}
