namespace DataOpen.Api.Rows;

public static class RowsSetup
{
    /// <summary>The row engine every door shares: running a compiled <see cref="Core.Query.RowQuery"/> on the reader role, and counting its shapes.</summary>
    public static IServiceCollection AddRowEngine(this IServiceCollection services)
    {
        services.AddOptions<QueryShapeOptions>().BindConfiguration(QueryShapeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<QueryShapeRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<QueryShapeRecorder>());
        services.AddSingleton<QueryRunner>();
        return services;
    }

    /// <summary>Names each request's door for the queries it runs (query shapes are counted per door).</summary>
    public static WebApplication UseRowEngine(this WebApplication app)
    {
        app.Use(QueryDoor.SetAsync);
        return app;
    }
}
