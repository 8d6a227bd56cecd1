namespace DataOpen.Api.Statistics;

public static class StatisticsSetup
{
    /// <summary>Registers the policy-statistics pipeline; <see cref="Infrastructure.DatabaseStartup"/> runs it after the seeds load.</summary>
    public static IServiceCollection AddPolicyStatistics(this IServiceCollection services)
    {
        services.AddOptions<DisclosureSettings>().BindConfiguration(DisclosureSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RestrictedLoader>();
        services.AddSingleton<PolicyStatistics>();
        return services;
    }
}
