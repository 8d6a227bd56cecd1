using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Ckan;

/// <summary>The response envelope of every action (ckan/views/api.py): help, success, and result or error.</summary>
/// <param name="Help">URL of help_show for this action.</param>
/// <param name="Success">false when the action raised an error.</param>
/// <param name="Result">The action's result (absent on error).</param>
/// <param name="Error">The error: <c>__type</c> (Not Found Error, Validation Error, Authorization Error, Search Query Error, Search Error) and message or one list of messages per field.</param>
public sealed record CkanResponse(string Help, bool Success, JsonElement? Result, JsonElement? Error);

/// <summary>
/// The CKAN door: <c>/api/3/action/{action}</c> (and <c>/api/action/{action}</c>, CKAN's unversioned form, which
/// ckanapi uses) for GET with query parameters and POST with a JSON object, answered in CKAN's envelope with CKAN's
/// status codes. Keys, tiers and limits are those of every door (the access middleware runs before it); a key may
/// also be sent CKAN's way, as the raw key in <c>Authorization</c> or <c>X-CKAN-API-Key</c>.
/// </summary>
public static class CkanEndpoints
{
    /// <summary>The CKAN release whose Action API this subset follows (status_show's ckan_version).</summary>
    public const string CkanVersion = "2.11.0";

    public const string Rules =
        "CKAN's rules: package_search refuses parameters it does not know (400 Search Query Error) and datastore_search too " +
        "(409 Validation Error); the other actions ignore what they do not read, as CKAN does";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = WriterOptions.Encoder };

    public static IEndpointRouteBuilder MapCkan(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/3").WithTags("CKAN Action API").WithStrictQuery().WithHandlerCheckedQuery(Rules);
        group.MapGet("", () => Results.Json(new { version = 3 })).WithName("CkanApiVersion")
            .WithSummary("CKAN's API root: {\"version\": 3}.");
        foreach (var action in CkanActions.All)
        {
            var parameters = action.Parameters.Select(p => (object)new OpenApiQueryParameter(p.Name, p.Description)).ToArray();
            group.MapGet("/action/" + action.Name, (HttpContext http, CatalogStore catalog) => RunAsync(http, catalog, action))
                .WithName("CkanGet_" + action.Name).WithSummary("CKAN " + action.Name + ": " + action.Help).WithMetadata(parameters)
                .Produces<CkanResponse>().Produces<CkanResponse>(StatusCodes.Status400BadRequest).Produces<CkanResponse>(StatusCodes.Status403Forbidden)
                .Produces<CkanResponse>(StatusCodes.Status404NotFound).Produces<CkanResponse>(StatusCodes.Status409Conflict);
            group.MapPost("/action/" + action.Name, (HttpContext http, CatalogStore catalog) => RunAsync(http, catalog, action))
                .WithName("CkanPost_" + action.Name).WithSummary("CKAN " + action.Name + " with a JSON object of parameters (as ckanapi sends it).")
                .WithMetadata(parameters).Accepts<Dictionary<string, JsonElement>>("application/json")
                .Produces<CkanResponse>().Produces<CkanResponse>(StatusCodes.Status400BadRequest).Produces<CkanResponse>(StatusCodes.Status403Forbidden)
                .Produces<CkanResponse>(StatusCodes.Status404NotFound).Produces<CkanResponse>(StatusCodes.Status409Conflict);
        }

        const string unknownSummary = "Any other action name (datastore_search_sql and every write action included): CKAN's 400 \"Bad request - Action name not known: …\".";
        group.MapGet("/action/{logic_function}", (string logic_function) => NotKnown(logic_function)).WithName("CkanGetUnknown")
            .WithSummary(unknownSummary).Produces<string>(StatusCodes.Status400BadRequest);
        group.MapPost("/action/{logic_function}", (string logic_function) => NotKnown(logic_function)).WithName("CkanPostUnknown")
            .WithSummary(unknownSummary).Produces<string>(StatusCodes.Status400BadRequest);

        // CKAN's unversioned URLs (API_DEFAULT_VERSION is 3): the same actions; documented as /api/3.
        var alias = app.MapGroup("/api/action").WithStrictQuery().WithHandlerCheckedQuery(Rules).ExcludeFromDescription()
            .WithMetadata(new DocumentedAsMetadata("/api/3/action/{logic_function}"));
        alias.MapGet("/{logic_function}", (string logic_function, HttpContext http, CatalogStore catalog) => Dispatch(logic_function, http, catalog));
        alias.MapPost("/{logic_function}", (string logic_function, HttpContext http, CatalogStore catalog) => Dispatch(logic_function, http, catalog));
        return app;
    }

    private static Task<IResult> Dispatch(string name, HttpContext http, CatalogStore catalog) =>
        CkanActions.ByName.TryGetValue(name, out var action) ? RunAsync(http, catalog, action) : Task.FromResult(NotKnown(name));

    private static IResult NotKnown(string name) => BadRequest("Action name not known: " + name);

    /// <summary>_finish_bad_request: status 400 and the JSON string "Bad request - …".</summary>
    private static IResult BadRequest(string detail) =>
        Results.Text(JsonSerializer.Serialize("Bad request - " + detail, StringOptions), "application/json;charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    public static string HelpUrl(HttpRequest request, string action) =>
        $"{CatalogEndpoints.BaseUrl(request)}/api/3/action/help_show?name={Uri.EscapeDataString(action)}";

    private static async Task<IResult> RunAsync(HttpContext http, CatalogStore catalog, CkanAction action)
    {
        var request = http.Request;
        var jsonp = HttpMethods.IsGet(request.Method) && request.Query.ContainsKey("callback");
        if (jsonp)
        {
            // As CKAN: a JSONP call is made without the user (no key), so another site's page cannot read with a visitor's key.
            http.Features.Set(Caller.Anonymous(http.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
        }

        int status;
        var buffer = new MemoryStream();
        await using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("help", HelpUrl(request, action.Name));
            try
            {
                var data = HttpMethods.IsPost(request.Method) ? await CkanData.FromPostAsync(request, http.RequestAborted) : CkanData.FromQuery(request.Query);
                var call = new CkanCall(http, CkanIndex.For(catalog.Current), data, CatalogEndpoints.BaseUrl(request));
                var result = await action.Run(call);
                w.WriteBoolean("success", true);
                w.WritePropertyName("result");
                result.Write(w);
                status = StatusCodes.Status200OK;
            }
            catch (CkanBadRequestException ex)
            {
                return BadRequest(ex.Message["Bad request - ".Length..]);
            }
            catch (CkanException ex)
            {
                w.WriteBoolean("success", false);
                w.WritePropertyName("error");
                var error = (JsonObject)ex.Error.DeepClone();
                error["__type"] = ex.Type;
                error.WriteTo(w);
                status = ex.Status;
            }
            catch (Exception ex) when (!DatabaseFaults.IsUnavailable(ex) && ex is not OperationCanceledException)
            {
                // CKAN's catch-all; an unreachable database is still the outage handler's 503 with Retry-After.
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CkanEndpoints)).LogError(ex, "CKAN action {Action} failed", action.Name);
                w.WriteBoolean("success", false);
                w.WritePropertyName("error");
                new JsonObject { ["__type"] = "Internal Server Error", ["message"] = "Internal Server Error" }.WriteTo(w);
                status = StatusCodes.Status500InternalServerError;
            }

            w.WriteEndObject();
        }

        var body = buffer.ToArray();
        if (jsonp && status == StatusCodes.Status200OK)
        {
            var callback = WebUtility.HtmlEncode(request.Query["callback"].ToString());
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.Text(callback + "(" + System.Text.Encoding.UTF8.GetString(body) + ");", "application/javascript;charset=utf-8", statusCode: status);
        }

        http.Response.Headers.CacheControl = "no-cache";
        return Results.Text(System.Text.Encoding.UTF8.GetString(body), "application/json;charset=utf-8", statusCode: status);
    }
}
