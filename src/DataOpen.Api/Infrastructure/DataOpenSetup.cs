using System.Text.Encodings.Web;

namespace DataOpen.Api.Infrastructure;

public static class DataOpenSetup
{
    /// <summary>
    /// The host's plumbing shared by the web host and the CLI verbs: options and the database. Features
    /// register their own services from their <c>*Setup.cs</c>; this folder knows none of them.
    /// </summary>
    public static IServiceCollection AddDataOpenInfrastructure(this IServiceCollection services)
    {
        services.AddOptions<DataOpenOptions>().BindConfiguration(DataOpenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Database>();
        return services;
    }

    public static WebApplicationBuilder AddDataOpen(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDataOpenInfrastructure();
        // Registered first, so the database is open, migrated and every feature's start-up step has run
        // before any other hosted service starts.
        services.AddHostedService<DatabaseStartup>();
        // With read replicas: probes every reader host, drops a stopped standby and takes it back when it returns.
        services.AddHostedService<ReplicaMonitor>();
        // Database outages become 503 with Retry-After in the format of the door that was asked.
        services.AddExceptionHandler<OutageHandler>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
        });
        services.ConfigureHttpJsonOptions(o =>
        {
            // Chinese text stays readable in JSON responses.
            o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        return builder;
    }

    public static WebApplication UseDataOpen(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Bad requests the framework detects (malformed body, bad route value) stay 4xx; anything
            // else is a 500 problem without a stack trace.
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                OperationCanceledException => StatusCodes.Status499ClientClosedRequest,
                Npgsql.PostgresException { SqlState: "57014" } => StatusCodes.Status503ServiceUnavailable,
                _ when DatabaseFaults.IsUnavailable(ex) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        return app;
    }
}
