using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DataOpen.Api.Datasets;

public static class DatasetsSetup
{
    /// <summary>The REST door's services: how its row sets appear in the OpenAPI document.</summary>
    public static IServiceCollection AddDatasetRows(this IServiceCollection services)
    {
        services.Configure<SwaggerGenOptions>(o =>
        {
            // Rows are objects whose properties are the dataset's fields.
            o.MapType<RowSet>(() => new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "One object per row; property names and types are given by fields.",
                Items = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema() },
            });
        });
        return services;
    }
}
