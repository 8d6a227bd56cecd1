namespace DataOpen.Api.GraphQL;

/// <summary>The GraphiQL IDE, built from its npm package into wwwroot/graphiql by the project build.</summary>
internal static class GraphiQL
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".html"] = "text/html; charset=utf-8",
        [".map"] = "application/json",
        [".woff2"] = "font/woff2",
        [".woff"] = "font/woff",
        [".ttf"] = "font/ttf",
        [".svg"] = "image/svg+xml",
    };

    public static async Task PageAsync(HttpContext http)
    {
        var env = http.RequestServices.GetRequiredService<IWebHostEnvironment>();
        var file = env.WebRootFileProvider.GetFileInfo("graphiql/index.html");
        if (!file.Exists)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("GraphiQL was not built: run `dotnet build src/DataOpen.Api` with node and npm installed. POST queries to /graphql meanwhile.");
            return;
        }

        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        // Everything the page loads comes from this service; no CDN.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:";
        await http.Response.SendFileAsync(file);
    }

    public static IResult Asset(string file, IWebHostEnvironment env)
    {
        if (file.Contains("..", StringComparison.Ordinal) || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal))
        {
            return Results.NotFound();
        }

        var info = env.WebRootFileProvider.GetFileInfo("graphiql/" + file);
        if (!info.Exists || info.PhysicalPath is null)
        {
            return Results.NotFound();
        }

        var type = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
        return Results.File(info.PhysicalPath, type);
    }
}
