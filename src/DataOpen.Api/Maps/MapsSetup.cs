using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Maps;

public static class MapsSetup
{
    /// <summary>Map previews: settings and the outline the service serves itself (no tile server needed).</summary>
    public static IServiceCollection AddMaps(this IServiceCollection services)
    {
        services.AddOptions<MapOptions>().BindConfiguration(MapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MapOutline>();
        return services;
    }

    public static IEndpointRouteBuilder MapMaps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/map/outline", Outline).WithTags("Catalog").WithStrictQuery().WithName("GetMapOutline")
            .WithSummary("The district outline every map preview draws under its points: a GeoJSON FeatureCollection of the areas (DataOpen:Map:OutlinePath).")
            .Produces(StatusCodes.Status200OK, contentType: "application/geo+json").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static IResult Outline(HttpContext http, MapOutline outline)
    {
        if (outline.Bytes is null)
        {
            return Problems.NotFound("This service has no map outline configured (DataOpen:Map:OutlinePath).");
        }

        if (HttpCaching.NotModified(http, outline.Etag!, "public, max-age=3600"))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(outline.Bytes, "application/geo+json");
    }
}
