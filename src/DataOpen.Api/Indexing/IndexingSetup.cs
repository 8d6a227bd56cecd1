using DataOpen.Api.Publishing;

namespace DataOpen.Api.Indexing;

public static class IndexingSetup
{
    /// <summary>Adaptive indexes: the builder (a background loop on every instance, one building at a time), hypopg, and the kept indexes carried into each publish.</summary>
    public static IServiceCollection AddAdaptiveIndexes(this IServiceCollection services)
    {
        services.AddOptions<IndexingOptions>().BindConfiguration(IndexingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HypoPg>();
        services.AddSingleton<AdaptiveIndexStore>();
        services.AddSingleton<AdaptiveIndexBuilder>();
        services.AddHostedService(sp => sp.GetRequiredService<AdaptiveIndexBuilder>());
        services.AddSingleton<IIndexPlanContributor, KeptIndexes>();
        return services;
    }
}
