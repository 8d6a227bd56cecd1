namespace DataOpen.Api.Rows;

/// <summary>
/// Which door a query runs for, set once per request from its path (the engine knows no door type, only
/// their names). It flows with the request's async work, read-ahead pages started by it included.
/// </summary>
public static class QueryDoor
{
    public const string Other = "other";

    private static readonly AsyncLocal<string?> Current = new();

    public static string Name => Current.Value ?? Other;

    internal static string Of(PathString path)
    {
        if (path.StartsWithSegments("/odata", StringComparison.OrdinalIgnoreCase))
        {
            return "odata";
        }

        if (path.StartsWithSegments("/graphql", StringComparison.OrdinalIgnoreCase))
        {
            return "graphql";
        }

        if (path.StartsWithSegments("/api/3/action", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/action", StringComparison.OrdinalIgnoreCase))
        {
            return "ckan";
        }

        if (path.StartsWithSegments("/api/v1/datasets", StringComparison.OrdinalIgnoreCase, out var rest))
        {
            return rest.Value?.Contains("/download", StringComparison.OrdinalIgnoreCase) == true ? "download" : "rest";
        }

        return path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? Other : "pages";
    }

    /// <summary>Middleware: names the door of the request for the queries it runs.</summary>
    internal static async Task SetAsync(HttpContext http, Func<Task> next)
    {
        Current.Value = Of(http.Request.Path);
        RequestTags.Start(http, Current.Value);
        await next();
    }

    /// <summary>For work outside a request (tests, tools).</summary>
    public static void Set(string? door) => Current.Value = door;
}
