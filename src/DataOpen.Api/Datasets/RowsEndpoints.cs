using System.Globalization;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Npgsql;
using DataOpen.Api.Rows;
using DataOpen.Api.Rows.Downloads;

namespace DataOpen.Api.Datasets;

/// <summary>The REST data door: rows of one dataset version with filters, paging and aggregation, and streamed downloads.</summary>
public static class RowsEndpoints
{
    public const string Door = "rest";

    public static IEndpointRouteBuilder MapDatasetRows(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/datasets").WithTags("Rows")
            .WithStrictQuery().WithHandlerCheckedQuery("field conditions (field=value, field[op]=value), checked against the version's fields");
        group.MapGet("/{id}/rows", Rows).WithName("GetRows")
            .WithMetadata([.. QueryParameters(download: false)])
            .WithDescription(ConditionsText)
            .WithSummary("Rows of a dataset version: field conditions (field=v, field[op]=v), filter= expressions, select, order, limit, keyset cursor, version, count=exact, group_by and aggregate.")
            .Produces<RowsResponse>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id}/download", Download).WithName("DownloadRows")
            .WithMetadata([.. QueryParameters(download: true)])
            .WithDescription(ConditionsText + " Downloads are streamed and have no row cap; limit is optional. CSV is UTF-8 with a BOM and CRLF line ends (RFC 4180); " +
                "Content-Disposition carries the Chinese title in filename* (RFC 6266).")
            .WithSummary("The whole dataset version (or the rows a filter selects) as a streamed file: csv (UTF-8 with BOM), json, jsonl, xlsx, parquet or geojson. No row cap.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/json", "application/x-ndjson", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.apache.parquet", "application/geo+json"])
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapRowByKey();
        return app;
    }

    private const string ConditionsText =
        "Every query parameter that is not listed here is a condition on a field: field=value (equals) or field[op]=value with op one of " +
        "eq, ne, gt, ge, lt, le, in (comma-separated), null (true/false), contains, icontains, startswith, istartswith, endswith, iendswith. " +
        "Conditions are combined with AND; see the README (REST API) for the filter= expression grammar.";

    private static IEnumerable<object> QueryParameters(bool download)
    {
        if (download)
        {
            yield return new OpenApiQueryParameter("format", "File format (default csv). geojson only for datasets with coordinates.", Values: DownloadFormats.All);
        }

        yield return new OpenApiQueryParameter("filter", "Filter expression, e.g. (pm2_5 gt 75 and station_name eq '长春药谷') or year(observed_at) eq 2024.", Example: "aqi gt 100");
        yield return new OpenApiQueryParameter("select", "Comma-separated fields to return (default: all, in schema order).", Example: "station_code,observed_at,aqi");
        yield return new OpenApiQueryParameter("order", "Comma-separated sort keys; prefix - for descending. Rows end with the source order as tie-breaker.", Example: "-aqi,station_code");
        yield return new OpenApiQueryParameter("limit", download ? "Rows to write (default: all)." : "Page size, 0 to 10000 (default 100).", JsonSchemaType.Integer);
        if (!download)
        {
            yield return new OpenApiQueryParameter("cursor", "Keyset cursor from the previous page's next link: unlimited deep paging with stable results.");
            yield return new OpenApiQueryParameter("count", "exact: also return the total number of matching rows (or groups).", Values: ["exact", "none"]);
        }

        yield return new OpenApiQueryParameter("offset", "Rows to skip (at most 1,000,000; grouped results page with it).", JsonSchemaType.Integer);
        yield return new OpenApiQueryParameter("version", "Serve this immutable version instead of the current one.", JsonSchemaType.Integer);
        yield return new OpenApiQueryParameter("group_by", "Comma-separated fields to group by.", Example: "station_code");
        yield return new OpenApiQueryParameter("aggregate", "count(), count_distinct(f), sum(f), avg(f), min(f), max(f), each optionally 'as alias'.", Example: "count(),avg(aqi) as mean");
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
            // A URL asked before was compiled then (ParsedQueries); compiling is deterministic, so a race only compiles twice.
            compiled = request.Parsed is { } parsed ? parsed.Rows ??= QueryCompiler.Default.Compile(request.Query) : QueryCompiler.Default.Compile(request.Query);
            countQuery = !request.Count ? null
                : request.Parsed is { } p ? p.Count ??= QueryCompiler.Default.CompileCount(request.Query) : QueryCompiler.Default.CompileCount(request.Query);
        }
        catch (QueryException ex)
        {
            return RowRequest.Problem(ex, http.Request);
        }

        if (HttpCaching.NotModified(http, request.Etag(http.Request, "rows"), request.CacheControl))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        RenderedPage page;
        long? count = null;
        try
        {
            // Rows go from the reader into the response's JSON as they are read: no boxed values, no second pass.
            page = await runner.RenderPageAsync(compiled, RowSet.Renderer(compiled.Columns, http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions), ct);
            http.Response.RegisterForDispose(page);
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

        await access.RecordServedAsync(http, request.Dataset, request.Version.Version, Door, http.Request.QueryString.Value, page.Rows, ct);
        var fields = compiled.Columns.Where(c => !c.Hidden).Select(c => new RowField(c.Name, c.Type.ToName())).ToList();
        var nextCursor = page.HasMore && compiled.SupportsCursor && page.Last is { } last ? compiled.CreateCursor(last) : null;
        var next = NextLink(http.Request, request, page.HasMore, nextCursor);
        return TypedResults.Ok(new RowsResponse(request.Dataset.Identifier, request.Version.Version, fields, new RowSet(compiled.Columns, page), count, request.Query.Limit, next));
    }

    /// <summary>Errors must not be cached under the data's ETag.</summary>
    internal static IResult NoStore(HttpContext http, IResult result)
    {
        http.Response.Headers.Remove("ETag");
        http.Response.Headers.CacheControl = "no-store";
        return result;
    }

    /// <summary>
    /// The same request with the version pinned (so deep paging never mixes versions across a publish)
    /// and the continuation: a keyset cursor for rows, the next offset for grouped results.
    /// </summary>
    private static string? NextLink(HttpRequest http, RowRequest request, bool hasMore, string? nextCursor)
    {
        if (!hasMore)
        {
            return null;
        }

        var grouped = request.Query.IsGrouped;
        var pairs = RowRequest.QueryPairs(http)
            .Where(p => p.Key is not ("cursor" or "after" or "version" or "offset"))
            .Append(new("version", request.Version.Version.ToString(CultureInfo.InvariantCulture)));
        if (grouped || nextCursor is null)
        {
            pairs = pairs.Append(new("offset", ((request.Query.Offset ?? 0) + request.Query.Limit).ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            pairs = pairs.Append(new("cursor", nextCursor));
        }

        return $"{CatalogEndpoints.BaseUrl(http)}/api/v1/datasets/{Uri.EscapeDataString(request.Dataset.Identifier)}/rows{QueryString.Create(pairs)}";
    }

    private static async Task<IResult> Download(
        string id, HttpContext http, CatalogStore catalog, IDatasetAccess access, QueryRunner runner, IOptions<DataOpenOptions> options, ILoggerFactory logs, CancellationToken ct)
    {
        var format = http.Request.Query.TryGetValue("format", out var f) ? f.ToString() : "csv";
        RowRequest request;
        CompiledQuery compiled;
        try
        {
            var (resolved, problem) = await RowRequest.ResolveAsync(http, id, catalog, access, Door, DownloadFormats.Limits, ct);
            if (problem is not null)
            {
                return problem;
            }

            request = resolved!;
            if (!DownloadFormats.All.Contains(format))
            {
                return Infrastructure.Problems.BadRequest("unknown-format", $"format must be one of {string.Join(", ", DownloadFormats.All)}; it was '{RowRequest.Shorten(format)}'.", "format");
            }

            var geo = request.Dataset.Metadata.Geo;
            if (format == "geojson")
            {
                if (geo is null)
                {
                    return Infrastructure.Problems.BadRequest("no-coordinates", $"Dataset '{id}' has no coordinates, so there is no GeoJSON; use csv, json, jsonl, xlsx or parquet.", "format");
                }

                if (request.Query.IsGrouped)
                {
                    return Infrastructure.Problems.BadRequest("no-coordinates", "Grouped results have no coordinates; GeoJSON needs rows.", "format");
                }

                if (request.Query.AllowedFields is { } granted && new[] { geo.Longitude, geo.Latitude }.FirstOrDefault(g => !granted.Contains(g)) is { } missing)
                {
                    // Points are made of the coordinate fields: a grant without them has no GeoJSON.
                    throw QueryException.NotGranted(missing, "format", granted);
                }

                if (request.Query.Select is { } select)
                {
                    // Points need their coordinates even when select leaves them out.
                    request = request with { Query = request.Query with { Select = [.. select, .. new[] { geo.Longitude, geo.Latitude }.Where(g => !select.Contains(g))] } };
                }
            }

            compiled = DownloadFormats.Compiler.Compile(request.Query);
        }
        catch (QueryException ex)
        {
            return RowRequest.Problem(ex, http.Request);
        }

        if (HttpCaching.NotModified(http, request.Etag(http.Request, "download:" + format), request.CacheControl))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var timeout = options.Value.DownloadTimeoutSeconds;
        var logger = logs.CreateLogger(typeof(RowsEndpoints));
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (format == "csv" && CopySelect(request, compiled) is { } copySelect)
        {
            try
            {
                await runner.CopyCsvAsync(copySelect, timeout, async (reader, token) =>
                {
                    StartFile(http, request, format);
                    await CsvDownload.WriteCopyAsync(compiled.Columns, reader, http.Response.Body, token);
                }, ct);
                // The whole version went out.
                await access.RecordServedAsync(http, request.Dataset, request.Version.Version, Access.Doors.Download, http.Request.QueryString.Value, request.Version.RowCount, CancellationToken.None);
            }
            catch (Exception ex) when (!http.Response.HasStarted && ex is QueryTimeoutException)
            {
                return NoStore(http, RowRequest.Timeout());
            }
            catch (Exception ex) when (!http.Response.HasStarted && DatabaseFaults.IsUnavailable(ex))
            {
                throw; // nothing sent yet: the outage handler answers 503 with Retry-After
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Abort(http, logger, ex, id);
            }

            return Results.Empty;
        }

        // Read the first row before answering, so that a query failing at once (timeout, division by
        // zero) is still a problem response and not a truncated file.
        var rows = runner.StreamAsync(compiled, timeout, ct).GetAsyncEnumerator(ct);
        try
        {
            bool any;
            try
            {
                any = await rows.MoveNextAsync();
            }
            catch (QueryTimeoutException)
            {
                return NoStore(http, RowRequest.Timeout());
            }
            catch (PostgresException ex) when (RowRequest.ClientError(ex) is { } problem)
            {
                return NoStore(http, problem);
            }

            StartFile(http, request, format);
            var served = new long[1];
            var all = Counted(Continue(any ? rows.Current : null, rows, compiled.PageSize), served);
            var body = http.Response.Body;
            try
            {
                await DownloadFormats.WriteAsync(format, compiled.Columns, all, body, request.Dataset.Metadata.Geo, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Abort(http, logger, ex, id);
            }
            finally
            {
                // Counted even when the client hung up: those rows left the server.
                await access.RecordServedAsync(http, request.Dataset, request.Version.Version, Access.Doors.Download, http.Request.QueryString.Value, served[0], CancellationToken.None);
            }
        }
        finally
        {
            await rows.DisposeAsync();
        }

        return Results.Empty;
    }

    /// <summary>
    /// The SELECT for PostgreSQL's COPY when the download is the whole version (no filter, cursor, offset
    /// or limit: COPY takes no parameters, and nothing from the request but catalog names enters it).
    /// Values are printed by <see cref="ValueText.CopyExpression"/> and the order is the compiler's own.
    /// </summary>
    internal static string? CopySelect(RowRequest request, CompiledQuery compiled)
    {
        var q = request.Query;
        const string limitTail = " LIMIT $1";
        if (q.Filter is not null || q.IsGrouped || q.After is not null || q.Offset is not null || request.ExplicitLimit
            || compiled.Parameters.Count != 1 || !compiled.Sql.EndsWith(limitTail, StringComparison.Ordinal))
        {
            return null;
        }

        var sql = compiled.Sql[..^limitTail.Length];
        var orderAt = sql.LastIndexOf(" ORDER BY ", StringComparison.Ordinal);
        if (orderAt < 0)
        {
            return null;
        }

        var columns = compiled.Columns.Where(c => !c.Hidden).Select(c => ValueText.CopyExpression(Sql.QuoteIdentifier(c.Name), c.Type));
        return $"SELECT {string.Join(", ", columns)} FROM {request.Version.Shape.QualifiedName}{sql[orderAt..]}";
    }

    /// <summary>The rows again from the first one already read, stopping at the page size (the query fetches one more to detect further pages).</summary>
    /// <summary>Counts the rows a download writer takes, for usage and the audit log.</summary>
    private static async IAsyncEnumerable<object?[]> Counted(IAsyncEnumerable<object?[]> rows, long[] count)
    {
        await foreach (var row in rows)
        {
            count[0]++;
            yield return row;
        }
    }

    private static async IAsyncEnumerable<object?[]> Continue(object?[]? first, IAsyncEnumerator<object?[]> rest, int max)
    {
        if (first is null || max == 0)
        {
            yield break;
        }

        yield return first;
        for (var n = 1; n < max && await rest.MoveNextAsync(); n++)
        {
            yield return rest.Current;
        }
    }

    private static void StartFile(HttpContext http, RowRequest request, string format)
    {
        http.Response.ContentType = DownloadFormats.MediaType(format);
        http.Response.Headers.ContentDisposition = ContentDisposition(request.Dataset.Identifier, request.Dataset.Metadata.Title.Zh, request.Version.Version, format);
    }

    /// <summary>
    /// RFC 6266: an ASCII <c>filename</c> (the identifier) for old clients and <c>filename*</c> (RFC 8187)
    /// with the Chinese title, both ending in <c>_v&lt;version&gt;.&lt;format&gt;</c>.
    /// </summary>
    public static string ContentDisposition(string identifier, string title, int version, string format)
    {
        var suffix = $"_v{version.ToString(CultureInfo.InvariantCulture)}.{format}";
        var safeTitle = new string(title.Select(c => char.IsControl(c) || "\\/:*?\"<>|".Contains(c) ? '_' : c).ToArray()).Trim();
        var ascii = new string(identifier.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}{suffix}\"; filename*=UTF-8''{Uri.EscapeDataString(safeTitle + suffix)}";
    }

    /// <summary>The file has begun: the only honest signal left is to cut the connection, so the client never takes a truncated file for a whole one.</summary>
    private static void Abort(HttpContext http, ILogger logger, Exception ex, string id)
    {
        if (http.RequestServices.GetRequiredService<Database>().ReportFault(ex))
        {
            logger.LogWarning("Download of {Dataset} cut: the database became unreachable mid-file ({Message}); aborting the connection", id, ex.GetBaseException().Message);
        }
        else
        {
            logger.LogError(ex, "Download of {Dataset} failed after the response started; aborting the connection", id);
        }

        // Abort, not a normal end: the chunked body gets no terminating chunk (HTTP/2: RST_STREAM), so
        // the client reports an error instead of keeping a short file.
        http.Abort();
    }
}
