using DataOpen.Api.Health;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

public static class AccessSetup
{
    /// <summary>Keys, roles, tiers and limits, grants, audit and usage; replaces the open-class-only <see cref="IDatasetAccess"/>.</summary>
    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new UniversalQueryParameter(ApiKeyFormat.QueryParameter));
        services.AddSingleton<KeyHasher>();
        services.AddSingleton<KeyStore>();
        services.AddSingleton<TierCatalog>();
        services.AddSingleton<WorkCalendar>();
        services.AddSingleton<SelfCallToken>();
        services.AddSingleton<ClientIp>();
        services.AddSingleton<RateLimitService>();
        services.AddSingleton<IRateCharger>(sp => sp.GetRequiredService<RateLimitService>());
        services.AddSingleton<IHealthSignal>(sp => sp.GetRequiredService<RateLimitService>());
        services.AddSingleton<ApplicationStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UsageCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageCounter>());
        services.AddSingleton<IDatasetAccess, GrantAccess>();
        services.AddHostedService<AccessStartup>();
        services.AddHostedService<AccessChangeListener>();
        services.AddMetrics();
        // The request-start log line carries the URL with its query string, where a key may be sent as
        // api_key: keep that category at Warning so keys never reach the logs.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        return builder;
    }

    public static WebApplication UseAccess(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AccessOptions>>().Value.Enabled)
        {
            app.UseMiddleware<AccessMiddleware>();
        }

        return app;
    }
}

/// <summary>After the database is ready: writes the tiers in force, and prints a first admin key when there is no way in as admin.</summary>
public sealed class AccessStartup(
    Database database,
    TierCatalog tiers,
    KeyStore keys,
    KeyHasher hasher,
    WorkCalendar calendar,
    IOptions<AccessOptions> access,
    IOptions<DataOpenOptions> options,
    ILogger<AccessStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = hasher; // Loads or creates the key secret now, not on the first request.
        _ = calendar; // Reads seeds/work-calendar.json now: a broken file fails the start, not an application.
        await tiers.SyncAsync(database.Writer, cancellationToken);
        if (!access.Value.PrintFirstAdminKey || !string.IsNullOrEmpty(access.Value.BootstrapAdminKeyHash) || !string.IsNullOrEmpty(options.Value.AdminKey)
            || await keys.AnyAdminAsync(cancellationToken))
        {
            return;
        }

        var (key, record) = await keys.CreateAsync("First administrator", null, "admin@localhost", "platform administration",
            TierCatalog.Admin, Roles.Admin, null, null, cancellationToken);
        // The only time a key is ever written to a log: there is no other way in yet. Documented in the README (Access).
        logger.LogWarning("No admin key exists: created the first admin key {PublicId}. Store it now, it is not shown again: {Key}", record.PublicId, key);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
