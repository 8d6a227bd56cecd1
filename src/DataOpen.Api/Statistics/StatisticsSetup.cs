using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Statistics;

public static class StatisticsSetup
{
    /// <summary>Registers the policy-statistics pipeline and its start-up step, which runs after the reference seeds load.</summary>
    public static IServiceCollection AddPolicyStatistics(this IServiceCollection services)
    {
        services.AddOptions<DisclosureSettings>().BindConfiguration(DisclosureSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RestrictedLoader>();
        services.AddSingleton<PolicyStatistics>();
        services.AddSingleton<IStartupStep, StatisticsStep>();
        return services;
    }

    private sealed class StatisticsStep(PolicyStatistics statistics) : IStartupStep
    {
        public int Order => 300;

        public Task RunAsync(CancellationToken ct) => statistics.RunAtStartAsync(ct);
    }
}
