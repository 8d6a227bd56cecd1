namespace DataOpen.Api.GraphQL;

public static class GraphQLSetup
{
    public static IServiceCollection AddDataOpenGraphQL(this IServiceCollection services)
    {
        services.AddOptions<GraphQLLimits>().BindConfiguration(GraphQLLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GraphQLSchemaProvider>();
        services.AddSingleton<GraphQLExecutor>();
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
