using System.Text.Encodings.Web;
using DataOpen.Api.Catalog;
using DataOpen.Api.Publishing;
using Microsoft.AspNetCore.Diagnostics;

namespace DataOpen.Api.Infrastructure;

public static class DataOpenSetup
{
    /// <summary>Services shared by the web host and the CLI verbs.</summary>
    public static IServiceCollection AddDataOpenCore(this IServiceCollection services)
    {
        services.AddOptions<DataOpenOptions>().BindConfiguration(DataOpenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Database>();
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<CatalogSearch>();
        services.AddSingleton<DataOpen.Api.Datasets.QueryRunner>();
        services.AddSingleton<DataOpen.Api.Access.IDatasetAccess, DataOpen.Api.Access.OpenClassAccess>();
        services.AddSingleton<SeedLoader>();
        services.AddSingleton<DatasetPublisher>();
        services.AddSingleton<CatalogSeeder>();
        return services;
    }

    public static WebApplicationBuilder AddDataOpen(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDataOpenCore();
        // Order matters: the database and catalog are ready before anything else starts.
        services.AddHostedService<DatabaseStartup>();
        services.AddHostedService<CatalogChangeListener>();
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
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        return app;
    }
}
