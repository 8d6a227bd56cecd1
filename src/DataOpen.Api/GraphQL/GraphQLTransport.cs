using GraphQLParser.AST;

namespace DataOpen.Api.GraphQL;

/// <summary>The transport's content negotiation and body reading.</summary>
public sealed partial class GraphQLExecutor
{
    /// <summary>
    /// application/graphql-response+json when the client lists it (by preference), application/json for
    /// application/json, wildcards and no Accept at all (legacy clients), null when neither is acceptable.
    /// </summary>
    internal static string? Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept is null || accept.Count == 0)
        {
            return Json;
        }

        foreach (var value in accept.Where(a => a.Quality is null or > 0).OrderByDescending(a => a.Quality ?? 1))
        {
            var type = value.MediaType;
            if (type.Equals(GraphQLResponse, StringComparison.OrdinalIgnoreCase))
            {
                return GraphQLResponse;
            }

            if (type.Equals(Json, StringComparison.OrdinalIgnoreCase) || type.Equals("*/*", StringComparison.Ordinal) || type.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                return Json;
            }
        }

        return null;
    }

    private static bool PrefersHtml(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept is null || accept.Count == 0)
        {
            return false;
        }

        var best = accept.Where(a => a.Quality is null or > 0).OrderByDescending(a => a.Quality ?? 1).First();
        return best.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) ||
            (accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && (a.Quality ?? 1) >= (best.Quality ?? 1)));
    }

    private static async Task CopyLimitedAsync(Stream source, Stream destination, int max, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > max)
            {
                throw new InvalidDataException("too large");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }
}
