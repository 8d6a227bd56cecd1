namespace DataOpen.Api.Quality;

public static class QualitySetup
{
    /// <summary>Data quality scores (数据质量) per published version.</summary>
    public static IServiceCollection AddQuality(this IServiceCollection services)
    {
        services.AddSingleton<QualityService>();
        services.AddHostedService<QualityScoring>();
        return services;
    }
}
