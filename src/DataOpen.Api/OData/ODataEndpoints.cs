using System.Globalization;
using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Rows;
using DataOpen.Core.Query;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.OData;

/// <summary>
/// The OData v4 feed at <c>/odata</c>: service document, <c>$metadata</c>, and for every entity set
/// collections, <c>Set(key)</c> and <c>Set/$count</c>. ODataLib parses the URL against the model
/// of the current catalog version; <see cref="ODataTranslator"/> turns the parse tree into a
/// <see cref="RowQuery"/>; the shared engine compiles it; rows stream from <see cref="QueryRunner"/>
/// into a <see cref="Utf8JsonWriter"/>. No IQueryable, nothing filtered in memory.
/// </summary>
public static partial class ODataEndpoints
{
    public const string Door = "odata";
    public const string RoutePrefix = "/odata";

    private static readonly string[] DeclinedOptions = ["$expand", "$search", "$compute", "$index", "$deltatoken", "$levels", "$schemaversion"];

    public static IEndpointRouteBuilder MapODataFeeds(this IEndpointRouteBuilder app)
    {
        // Created now so it subscribes to CatalogStore.Changed before the catalog first loads.
        _ = app.ServiceProvider.GetRequiredService<ODataModelProvider>();
        app.MapGet(RoutePrefix + "/{**path}", HandleAsync)
            .WithName("ODataFeed")
            .WithTags("OData")
            .WithSummary("OData v4 feed: service document, $metadata, entity sets with $filter, $select, $orderby, $top, $skip, $count, $apply")
            .ExcludeFromDescription();
        return app;
    }

    internal static async Task HandleAsync(HttpContext http, ODataModelProvider models, QueryRunner runner, PageReadAhead readAhead, IDatasetAccess access, IOptions<ODataOptions> options, ILoggerFactory loggers)
    {
        var ct = http.RequestAborted;
        var model = models.Current;
        http.Response.Headers["OData-Version"] = "4.0";
        try
        {
            var format = ODataFormat.From(http.Request);
            var relative = http.Request.Path.ToUriComponent()[RoutePrefix.Length..].TrimStart('/');
            var serviceRoot = CatalogEndpoints.BaseUrl(http.Request) + RoutePrefix + "/";
            if (relative.Length == 0)
            {
                await WriteServiceDocumentAsync(http, model, serviceRoot, format);
            }
            else if (relative == "$metadata")
            {
                await WriteMetadataAsync(http, model, format);
            }
            else
            {
                if (format.XmlRequested)
                {
                    throw ODataRequestException.BadRequest(ODataErrorCodes.Unsupported, "Entity sets are served as JSON only; XML is available for $metadata.", "$format");
                }

                await ServeResourceAsync(http, model, serviceRoot, relative, format, runner, readAhead, access, options.Value, ct);
            }
        }
        catch (Exception ex) when (http.Response.HasStarted && DatabaseFaults.IsUnavailable(ex))
        {
            // The database went away while rows were being sent: cut the response (see below).
            http.RequestServices.GetRequiredService<Database>().ReportFault(ex);
            loggers.CreateLogger(typeof(ODataEndpoints)).LogWarning("OData response aborted: the database became unreachable mid-response ({Message})", ex.GetBaseException().Message);
            http.Abort();
        }
        catch (Exception ex) when (ToODataError(ex) is { } error)
        {
            if (http.Response.HasStarted)
            {
                // Rows were already sent: cut the response so the client sees a failure, not a short page.
                loggers.CreateLogger(typeof(ODataEndpoints)).LogWarning(ex, "OData response aborted after it started: {Message}", ex.Message);
                http.Abort();
                return;
            }

            await ODataJson.WriteErrorAsync(http, error);
        }
    }

    /// <summary>Every failure caused by the request becomes an OData error; anything else stays an exception (500 problem).</summary>
    private static ODataRequestException? ToODataError(Exception ex) => ex switch
    {
        ODataRequestException e => e,
        QueryException q => FromQueryException(q),
        QueryTimeoutException t => new ODataRequestException(StatusCodes.Status503ServiceUnavailable, ODataErrorCodes.Timeout, t.Message),
        // Data exceptions (division by zero, numeric overflow, invalid substring length) come from values the client wrote.
        PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal) =>
            ODataRequestException.BadRequest(ODataErrorCodes.BadValue, $"The query failed on the data: {p.MessageText}.", "$filter"),
        _ => null,
    };

    private static ODataRequestException FromQueryException(QueryException q)
    {
        var target = q.Target switch
        {
            "filter" => "$filter",
            "select" => "$select",
            "order" => "$orderby",
            "limit" => "$top",
            "offset" => "$skip",
            "after" => "$skiptoken",
            "group_by" or "aggregate" => "$apply",
            var t => t,
        };
        if (q.Code == QueryErrorCodes.FieldNotGranted)
        {
            // Not a malformed query: the key may not read that property.
            return new ODataRequestException(StatusCodes.Status403Forbidden, ODataErrorCodes.FieldNotGranted, q.Message, target);
        }

        var code = q.Code switch
        {
            QueryErrorCodes.UnknownField => ODataErrorCodes.UnknownProperty,
            QueryErrorCodes.TypeMismatch => ODataErrorCodes.TypeMismatch,
            QueryErrorCodes.LimitExceeded or QueryErrorCodes.TooComplex => ODataErrorCodes.LimitExceeded,
            QueryErrorCodes.BadCursor => ODataErrorCodes.BadSkipToken,
            QueryErrorCodes.UnknownFunction or QueryErrorCodes.UnknownOperator => ODataErrorCodes.Unsupported,
            QueryErrorCodes.BadValue => ODataErrorCodes.BadValue,
            _ => ODataErrorCodes.BadSyntax,
        };
        return ODataRequestException.BadRequest(code, q.Message, target, q.Suggestions.Select(s => $"Did you mean '{s}'?").ToList());
    }

    private static async Task WriteServiceDocumentAsync(HttpContext http, ODataModel model, string serviceRoot, ODataFormat format)
    {
        http.Response.ContentType = format.ContentType;
        var apiKey = http.Request.Query["api_key"].FirstOrDefault();
        var json = ODataJson.CreateWriter(http.Response.BodyWriter);
        await using (json)
        {
            json.WriteStartObject();
            if (format.Level != MetadataLevel.None)
            {
                json.WriteString("@odata.context", serviceRoot + "$metadata");
            }

            json.WriteStartArray("value");
            foreach (var set in model.Sets.Values.OrderBy(s => s.Dataset is null).ThenBy(s => s.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", set.Name);
                json.WriteString("kind", "EntitySet");
                // Excel and Power BI cannot send headers: a key given as api_key travels on to every set's URL.
                json.WriteString("url", apiKey is null ? set.Name : set.Name + "?api_key=" + Uri.EscapeDataString(apiKey));
                if (set.Dataset is { } d)
                {
                    json.WriteString("title", d.Metadata.Title.Zh);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static async Task WriteMetadataAsync(HttpContext http, ODataModel model, ODataFormat format)
    {
        var etag = $"\"odata-metadata-{model.CatalogVersion.ToString(CultureInfo.InvariantCulture)}-{(format.Json ? "json" : "xml")}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "public, max-age=60";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        http.Response.ContentType = format.Json ? "application/json;charset=utf-8" : "application/xml;charset=utf-8";
        await http.Response.Body.WriteAsync(format.Json ? model.MetadataJson : model.MetadataXml);
    }
}
