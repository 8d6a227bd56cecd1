using System.Globalization;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Npgsql;

namespace DataOpen.Api.Datasets;

/// <summary>The REST data door: rows of one dataset version with filters, paging and aggregation, and streamed downloads.</summary>
public static class RowsEndpoints
{
    public const string Door = "rest";

    public static IEndpointRouteBuilder MapDatasetRows(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/datasets").WithTags("Rows");
        group.MapGet("/{id}/rows", Rows).WithName("GetRows")
            .WithSummary("Rows of a dataset version: field conditions (field=v, field[op]=v), filter= expressions, select, order, limit, keyset cursor, version, count=exact, group_by and aggregate.")
            .Produces<RowsResponse>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> Rows(string id, HttpContext http, CatalogStore catalog, IDatasetAccess access, QueryRunner runner, CancellationToken ct)
    {
        RowRequest request;
        CompiledQuery compiled;
        CompiledQuery? countQuery;
        try
        {
            var (resolved, problem) = await RowRequest.ResolveAsync(http, id, catalog, access, Door, QueryLimits.Default, ct);
            if (problem is not null)
            {
                return problem;
            }

            request = resolved!;
            compiled = QueryCompiler.Default.Compile(request.Query);
            countQuery = request.Count ? QueryCompiler.Default.CompileCount(request.Query) : null;
        }
        catch (QueryException ex)
        {
            return RowRequest.Problem(ex, http.Request);
        }

        if (HttpCaching.NotModified(http, request.Etag(http.Request, "rows"), request.CacheControl))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        RowPage page;
        long? count = null;
        try
        {
            page = await runner.PageAsync(compiled, ct);
            if (countQuery is not null)
            {
                count = await runner.CountAsync(countQuery, ct);
            }
        }
        catch (QueryTimeoutException)
        {
            return NoStore(http, RowRequest.Timeout());
        }
        catch (PostgresException ex) when (RowRequest.ClientError(ex) is { } problem)
        {
            return NoStore(http, problem);
        }

        var fields = compiled.Columns.Where(c => !c.Hidden).Select(c => new RowField(c.Name, c.Type.ToName())).ToList();
        var next = NextLink(http.Request, request, page);
        return TypedResults.Ok(new RowsResponse(request.Dataset.Identifier, request.Version.Version, fields, new RowSet(compiled.Columns, page.Rows), count, request.Query.Limit, next));
    }

    /// <summary>Errors must not be cached under the data's ETag.</summary>
    private static IResult NoStore(HttpContext http, IResult result)
    {
        http.Response.Headers.Remove("ETag");
        http.Response.Headers.CacheControl = "no-store";
        return result;
    }

    /// <summary>
    /// The same request with the version pinned (so deep paging never mixes versions across a publish)
    /// and the continuation: a keyset cursor for rows, the next offset for grouped results.
    /// </summary>
    private static string? NextLink(HttpRequest http, RowRequest request, RowPage page)
    {
        if (!page.HasMore)
        {
            return null;
        }

        var grouped = request.Query.IsGrouped;
        var pairs = RowRequest.QueryPairs(http)
            .Where(p => p.Key is not ("cursor" or "after" or "version" or "offset"))
            .Append(new("version", request.Version.Version.ToString(CultureInfo.InvariantCulture)));
        if (grouped || page.NextCursor is null)
        {
            pairs = pairs.Append(new("offset", ((request.Query.Offset ?? 0) + request.Query.Limit).ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            pairs = pairs.Append(new("cursor", page.NextCursor));
        }

        return $"{CatalogEndpoints.BaseUrl(http)}/api/v1/datasets/{Uri.EscapeDataString(request.Dataset.Identifier)}/rows{QueryString.Create(pairs)}";
    }
}
