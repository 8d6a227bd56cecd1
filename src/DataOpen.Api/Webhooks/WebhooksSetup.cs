namespace DataOpen.Api.Webhooks;

public static class WebhooksSetup
{
    /// <summary>Subscriptions, the delivery queue's dispatcher and its LISTEN wake-up (<c>DataOpen:Webhooks</c>).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService<WebhookListener>();
        return services;
    }
}
