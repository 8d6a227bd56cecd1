using System.Text.Json;
using System.Text.Json.Serialization;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;

namespace DataOpen.Api.Datasets;

/// <summary>
/// One row of <c>GET /api/v1/datasets/{id}/rows/{key}</c>.
/// </summary>
/// <param name="Dataset">The dataset identifier.</param>
/// <param name="Version">The immutable version the row comes from.</param>
/// <param name="Key">The key fields in key order (<c>_row_id</c> where the version declares no primaryKey).</param>
/// <param name="Fields">Returned columns in order.</param>
/// <param name="Row">The row, properties named as <paramref name="Fields"/>.</param>
public sealed record RowByKeyResponse(string Dataset, int Version, IReadOnlyList<string> Key, IReadOnlyList<RowField> Fields, SingleRow Row);

/// <summary>The one row of a key lookup, written as a JSON object with only the visible columns.</summary>
[JsonConverter(typeof(SingleRowConverter))]
public sealed class SingleRow(IReadOnlyList<ResultColumn> columns, object?[] values)
{
    public IReadOnlyList<ResultColumn> Columns { get; } = columns;

    public object?[] Values { get; } = values;
}

public sealed class SingleRowConverter : JsonConverter<SingleRow>
{
    public override SingleRow Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Rows are written by the service, never read.");

    public override void Write(Utf8JsonWriter writer, SingleRow value, JsonSerializerOptions options) =>
        JsonRows.WriteObject(writer, JsonRows.Visible(value.Columns), value.Values);
}

/// <summary>
/// The REST door's row by key: the version's declared primaryKey (composite keys as comma-separated values in key
/// order), or the row position <c>_row_id</c> where none is declared. One index lookup on <c>{table}_key</c>.
/// </summary>
public static class RowByKeyEndpoint
{
    /// <summary>The only query parameters a key lookup takes (plus the universal api_key and lang).</summary>
    private static readonly string[] Accepted = ["select", "version"];

    /// <summary>The fields of a lookup's columns (a compiled lookup keeps its column list: one per lookup, not per request).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<ResultColumn>, List<RowField>> Fields = new();

    public static IEndpointRouteBuilder MapRowByKey(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/datasets").WithTags("Rows").WithStrictQuery()
            .MapGet("/{id}/rows/{key}", Get).WithName("GetRowByKey")
            .WithMetadata(
                new OpenApiQueryParameter("select", "Comma-separated fields to return (default: all, in schema order).", Example: "station_code,observed_at,aqi"),
                new OpenApiQueryParameter("version", "Read this immutable version instead of the current one.", JsonSchemaType.Integer))
            .WithSummary("One row by its key: the dataset's primaryKey (see /schema), composite keys as values in key order separated by commas (\\, for a comma in a value); the row position _row_id where no key is declared.")
            .WithDescription("Examples: /api/v1/datasets/bus-stops/rows/CC-0001 (primaryKey stop_code); /api/v1/datasets/air-quality-hourly/rows/JKQ01,2024-03-01T08:00:00+08:00 " +
                "(primaryKey station_code, observed_at). Values are converted to each key field's type as in field conditions.")
            .Produces<RowByKeyResponse>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> Get(string id, string key, HttpContext http, CatalogStore catalog, IDatasetAccess access, QueryRunner runner, CancellationToken ct)
    {
        RowRequest request;
        CompiledQuery compiled;
        IReadOnlyList<string> names;
        try
        {
            var (resolved, problem) = await RowRequest.ResolveAsync(http, id, catalog, access, RowsEndpoints.Door, QueryLimits.Default, ct);
            if (problem is not null)
            {
                return problem;
            }

            request = resolved!;
            names = RowKeys.KeyNames(request.Version);
            IReadOnlyList<string> values = names.Count == 1 ? [key] : RowKeys.SplitSegment(key);
            if (values.Count != names.Count)
            {
                return Problems.BadRequest("bad-key",
                    $"The key of '{request.Dataset.Identifier}' version {request.Version.Version} has {names.Count} fields ({string.Join(", ", names)}); " +
                    $"'{RowRequest.Shorten(key)}' gives {values.Count} value(s). Separate the values with commas in that order (\\, for a comma inside a value).",
                    "key", new Dictionary<string, object?> { ["in"] = "path", ["code"] = "bad_key", ["key"] = names });
            }

            try
            {
                // Two rows at most: a declared key is unique (publishing enforced it), so a second row would be a defect to report, not to hide.
                compiled = RowKeys.Lookup(request.Version, names, request.Query.Select, request.Query.AllowedFields, 2).Bind([.. values]);
            }
            catch (QueryException ex) when (ex.Code is QueryErrorCodes.BadValue or QueryErrorCodes.TypeMismatch)
            {
                // A value the key field's type cannot take (a date that is not one, text for an integer key) is a bad path.
                return Problems.BadRequest("bad-key", $"The key '{RowRequest.Shorten(key)}' does not fit the key ({string.Join(", ", names)}): {ex.Message}",
                    "key", new Dictionary<string, object?> { ["in"] = "path", ["code"] = "bad_key", ["key"] = names });
            }
        }
        catch (QueryException ex)
        {
            return RowRequest.Problem(ex, http.Request);
        }

        if (HttpCaching.NotModified(http, request.Etag(http.Request, "row:" + key), request.CacheControl))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        RowPage page;
        try
        {
            page = await runner.PageAsync(compiled, ct);
        }
        catch (QueryTimeoutException)
        {
            return RowsEndpoints.NoStore(http, RowRequest.Timeout());
        }
        catch (PostgresException ex) when (RowRequest.ClientError(ex) is { } problem)
        {
            return RowsEndpoints.NoStore(http, problem);
        }

        if (page.Rows.Count == 0)
        {
            return RowsEndpoints.NoStore(http, Problems.NotFound(
                $"Version {request.Version.Version} of '{request.Dataset.Identifier}' has no row with {string.Join(", ", names)} = {RowRequest.Shorten(key)}."));
        }

        await access.RecordServedAsync(http, request.Dataset, request.Version.Version, RowsEndpoints.Door, http.Request.QueryString.Value, 1, ct);
        var fields = Fields.GetValue(compiled.Columns, columns => columns.Where(c => !c.Hidden).Select(c => new RowField(c.Name, c.Type.ToName())).ToList());
        return new RowByKeyResult(new RowByKeyResponse(request.Dataset.Identifier, request.Version.Version, names, fields, new SingleRow(compiled.Columns, page.Rows[0])),
            http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
    }
}

/// <summary>
/// 200 with the row as JSON, written straight into the response (the shape <see cref="RowByKeyResponse"/> documents;
/// names and escaping as the service's JSON options write them): a lookup answers thousands of times a second, and
/// the serializer's reflection over the record was a sixth of each request in the profile.
/// </summary>
internal sealed class RowByKeyResult(RowByKeyResponse response, JsonSerializerOptions options) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using (var json = new Utf8JsonWriter(httpContext.Response.BodyWriter, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
        {
            json.WriteStartObject();
            json.WriteString(Name("dataset"), response.Dataset);
            json.WriteNumber(Name("version"), response.Version);
            json.WriteStartArray(Name("key"));
            foreach (var k in response.Key)
            {
                json.WriteStringValue(k);
            }

            json.WriteEndArray();
            json.WriteStartArray(Name("fields"));
            foreach (var f in response.Fields)
            {
                json.WriteStartObject();
                json.WriteString(Name("name"), f.Name);
                json.WriteString(Name("type"), f.Type);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WritePropertyName(Name("row"));
            JsonRows.WriteObject(json, JsonRows.VisibleOf(response.Row.Columns), response.Row.Values);
            json.WriteEndObject();
        }

        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    private string Name(string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
}

