namespace DataOpen.Api.GraphQL;

public static class GraphQLSetup
{
    public static IServiceCollection AddDataOpenGraphQL(this IServiceCollection services)
    {
        services.AddOptions<GraphQLLimits>().BindConfiguration(GraphQLLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GraphQLSchemaProvider>();
        services.AddSingleton<GraphQLExecutor>();
        services.AddSingleton<Infrastructure.IOutageWriter, GraphQLOutageWriter>();
        // Created at start so the first catalog change already triggers a schema build.
        services.AddHostedService<GraphQLSchemaWarmup>();
        return services;
    }

    public static IEndpointRouteBuilder MapGraphQL(this IEndpointRouteBuilder app)
    {
        app.MapGet("/graphql", (HttpContext http, GraphQLExecutor executor) => executor.HandleGetAsync(http)).ExcludeFromDescription();
        app.MapPost("/graphql", (HttpContext http, GraphQLExecutor executor) => executor.HandlePostAsync(http)).ExcludeFromDescription();
        app.MapGet("/graphql/schema.graphql", (GraphQLSchemaProvider provider) =>
            Results.Text(SchemaBuilder.PrintSdl(provider.Current.Schema), "application/graphql; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/graphql/ide/{file}", GraphiQL.Asset).ExcludeFromDescription();
        return app;
    }
}

/// <summary>The GraphQL 503 for a database fault met before execution (e.g. while checking the caller's key).</summary>
internal sealed class GraphQLOutageWriter(GraphQLExecutor executor) : Infrastructure.IOutageWriter
{
    public bool Handles(HttpContext http) =>
        http.Request.Path.Equals("/graphql", StringComparison.OrdinalIgnoreCase) || http.Request.Path.Equals("/graphql/", StringComparison.OrdinalIgnoreCase);

    public Task WriteAsync(HttpContext http, string message) => executor.WriteUnavailableAsync(http, null);
}
