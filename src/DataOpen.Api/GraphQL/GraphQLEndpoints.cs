using System.Text.Encodings.Web;
using System.Text.Json;
using DataOpen.Api.Access;
using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// The GraphQL-over-HTTP transport: POST application/json and GET with query/variables/operationName
/// (queries only), responses in application/graphql-response+json when the client accepts it (status
/// 400 when the request could not be executed) and application/json otherwise (status 200 for every
/// well-formed request), errors in the standard shape with locations, path and extensions.code.
/// </summary>
public sealed partial class GraphQLExecutor
{
    public const string GraphQLResponse = "application/graphql-response+json";
    private const string Json = "application/json";

    /// <summary>How responses escape text: Chinese stays readable.</summary>
    internal static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly GraphQLSchemaProvider provider;
    private readonly ILogger<GraphQLExecutor> logger;
    // Serial execution: resolvers of a query are mostly synchronous reads of an in-memory page, where the
    // parallel strategy's task bookkeeping costs more than it saves; root row fields then also run one
    // at a time, which keeps one request from taking several pooled connections at once. A page's nodes
    // are one execution node where the selection allows (RowListNode).
    private readonly DocumentExecuter executer = new(
        new GraphQLDocumentBuilder(),
        new DocumentValidator(),
        new DefaultExecutionStrategySelector([new ExecutionStrategyRegistration(RowsExecutionStrategy.Instance, OperationType.Query)]),
        []);
    private readonly GraphQLSerializer serializer;
    private readonly IValidationRule[] rules;
    private readonly IValidationRule[] rulesForValidated;

    public GraphQLExecutor(GraphQLSchemaProvider provider, IOptions<GraphQLLimits> limits, ILogger<GraphQLExecutor> logger)
    {
        this.provider = provider;
        this.logger = logger;
        serializer = new GraphQLSerializer(
            o => o.Encoder = Encoder,
            new ErrorInfoProvider(o =>
            {
                o.ExposeCode = true;
                o.ExposeCodes = false;
                o.ExposeData = true;
                o.ExposeExceptionDetails = false;
            }));
        var complexity = new ComplexityOptions
        {
            MaxDepth = limits.Value.MaxDepth,
            MaxComplexity = limits.Value.MaxComplexity,
            ValidateComplexityDelegate = ChargeComplexityAsync,
        };
        rules = [.. DocumentValidator.CoreRules, new ComplexityValidationRule(complexity)];
        // A validated document (ValidatedDocuments) still gets the rules that read variables, and the complexity charge.
        rulesForValidated = ValidatedDocuments.RulesForValidated(rules);
    }

    public async Task HandleGetAsync(HttpContext http)
    {
        var query = http.Request.Query;
        if (!query.ContainsKey("query") && PrefersHtml(http.Request))
        {
            await GraphiQL.PageAsync(http);
            return;
        }

        var mediaType = Negotiate(http.Request);
        if (mediaType is null)
        {
            await WriteRequestErrorAsync(http, Json, StatusCodes.Status406NotAcceptable, "NOT_ACCEPTABLE", $"Accept {GraphQLResponse} or {Json}.");
            return;
        }

        if (query["query"] is not [{ Length: > 0 } text])
        {
            await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST", "GET /graphql needs one non-empty query parameter (and optionally variables as JSON and operationName).");
            return;
        }

        Inputs? variables = null;
        if (query["variables"] is [{ Length: > 0 } vars])
        {
            if (!TryReadVariables(vars, out variables, out var problem))
            {
                await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST", problem);
                return;
            }
        }

        var operationName = query["operationName"] is [{ Length: > 0 } op] ? op : null;
        await ExecuteAsync(http, mediaType, text, operationName, variables, isGet: true);
    }

    public async Task HandlePostAsync(HttpContext http)
    {
        var mediaType = Negotiate(http.Request);
        if (mediaType is null)
        {
            await WriteRequestErrorAsync(http, Json, StatusCodes.Status406NotAcceptable, "NOT_ACCEPTABLE", $"Accept {GraphQLResponse} or {Json}.");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType) || !contentType.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
        {
            await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "POST /graphql takes Content-Type: application/json with {\"query\": …, \"variables\": …, \"operationName\": …}.");
            return;
        }

        var max = provider.Limits.MaxRequestBytes;
        if (http.Request.ContentLength > max)
        {
            await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"The request body may be at most {max} bytes.");
            return;
        }

        JsonDocument body;
        try
        {
            using var buffer = new MemoryStream();
            await CopyLimitedAsync(http.Request.Body, buffer, max, http.RequestAborted);
            buffer.Position = 0;
            body = await JsonDocument.ParseAsync(buffer, cancellationToken: http.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"The request body may be at most {max} bytes.");
            return;
        }
        catch (JsonException ex)
        {
            await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST", $"The body is not valid JSON: {ex.Message}");
            return;
        }

        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST",
                    root.ValueKind == JsonValueKind.Array ? "Batched requests are not supported: send one {\"query\": …} object per request." : "The body must be a JSON object with a query string.");
                return;
            }

            if (!root.TryGetProperty("query", out var q) || q.ValueKind != JsonValueKind.String || q.GetString() is not { Length: > 0 } text)
            {
                await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST", "The body needs \"query\": a non-empty string.");
                return;
            }

            string? operationName = null;
            if (root.TryGetProperty("operationName", out var on) && on.ValueKind != JsonValueKind.Null)
            {
                if (on.ValueKind != JsonValueKind.String)
                {
                    await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST", "\"operationName\" must be a string or null.");
                    return;
                }

                operationName = on.GetString();
            }

            Inputs? variables = null;
            if (root.TryGetProperty("variables", out var v) && v.ValueKind != JsonValueKind.Null)
            {
                if (v.ValueKind != JsonValueKind.Object || !TryReadVariables(v.GetRawText(), out variables, out var problem))
                {
                    await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status400BadRequest, "BAD_REQUEST", "\"variables\" must be a JSON object or null.");
                    return;
                }
            }

            await ExecuteAsync(http, mediaType, text, operationName, variables, isGet: false);
        }
    }

    private async Task ExecuteAsync(HttpContext http, string mediaType, string query, string? operationName, Inputs? variables, bool isGet)
    {
        // The request keeps this schema (and its catalog snapshot) to the end, whatever is swapped in meanwhile.
        var model = provider.Current;
        var kept = model.Documents.Lookup(query);
        var validated = kept?.Document;
        if (kept?.Plan is { } plan && ExtraPermits(http, plan.Impact) <= 0
            && await TryPlanAsync(http, mediaType, model, plan, query, operationName, variables))
        {
            return;
        }

        var document = validated;
        try
        {
            document ??= GraphQLParser.Parser.Parse(query);
        }
        catch (GraphQLSyntaxErrorException)
        {
            // The executer reports the same syntax error in the standard shape, with its location.
        }

        if (isGet && document is not null && FindOperation(document, operationName) is { Operation: not OperationType.Query } op)
        {
            http.Response.Headers.Allow = "POST";
            await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status405MethodNotAllowed, "METHOD_NOT_ALLOWED",
                $"A {op.Operation.ToString().ToLowerInvariant()} cannot be sent with GET; use POST.");
            return;
        }

        var context = new GraphQLRequestContext(http, model);
        var result = await executer.ExecuteAsync(new ExecutionOptions
        {
            Schema = model.Schema,
            Query = document is null ? query : null,
            Document = document,
            OperationName = operationName,
            Variables = variables,
            UserContext = context,
            RequestServices = http.RequestServices,
            CancellationToken = http.RequestAborted,
            ValidationRules = validated is null ? rules : rulesForValidated,
            ThrowOnUnhandledException = false,
            UnhandledExceptionDelegate = ctx =>
            {
                if (http.RequestServices.GetRequiredService<Infrastructure.Database>().ReportFault(ctx.OriginalException))
                {
                    // Not a bug: the database is away. The whole request becomes a 503 below.
                    http.Items[UnavailableItem] = true;
                    ctx.Exception = new ExecutionError(Infrastructure.DatabaseFaults.Message) { Code = UnavailableCode };
                    return Task.CompletedTask;
                }

                logger.LogError(ctx.OriginalException, "GraphQL resolver failed at {Path}", ctx.FieldContext?.Path is { } path ? string.Join('.', path) : "(request)");
                ctx.ErrorMessage = "Internal error while resolving this field; it has been logged.";
                return Task.CompletedTask;
            },
        });

        if (validated is null && document is not null && result.Executed)
        {
            var keyPlan = result.Errors is not { Count: > 0 } && context.TryGetValue(ImpactItem, out var impact) && impact is double charged
                ? KeyPlan.TryCreate(document, model.Schema, charged)
                : null;
            model.Documents.Add(query, document, keyPlan);
        }

        int status;
        if (mediaType == GraphQLResponse)
        {
            // Not executed (syntax, validation, variables, limits): no data entry, a client error.
            status = result.Executed ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        }
        else
        {
            status = StatusCodes.Status200OK;
        }

        foreach (var error in result.Errors ?? [])
        {
            if (error is UnhandledError or { Code: null })
            {
                error.Code ??= "INTERNAL_SERVER_ERROR";
            }
        }

        if (http.Items.ContainsKey(RateLimitedItem))
        {
            status = StatusCodes.Status429TooManyRequests;
        }

        if (http.Items.ContainsKey(UnavailableItem))
        {
            // A field needed the database and it was unreachable: the request could not be executed, so the
            // answer is a request error (no data entry) with 503 and Retry-After, as GraphQL over HTTP asks of a
            // response without data, rather than a partial result that looks like an empty one.
            await WriteUnavailableAsync(http, mediaType);
            return;
        }

        await WriteResultAsync(http, status, mediaType, result);
    }

    private async Task WriteResultAsync(HttpContext http, int status, string mediaType, ExecutionResult result)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    /// <summary>
    /// Serves a validated one-row lookup from its <see cref="KeyPlan"/>; false when the plan hands it to the executor
    /// (nothing written). The database being away is the same 503 the executor's path gives.
    /// </summary>
    private async Task<bool> TryPlanAsync(HttpContext http, string mediaType, GraphQLModel model, KeyPlan plan, string query, string? operationName, Inputs? variables)
    {
        try
        {
            var served = await plan.TryServeAsync(new GraphQLRequestContext(http, model), query, operationName, variables,
                result => WriteResultAsync(http, StatusCodes.Status200OK, mediaType, result));
            if (served)
            {
                model.Documents.CountPlanned();
            }

            return served;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !http.Response.HasStarted)
        {
            if (http.RequestServices.GetRequiredService<Infrastructure.Database>().ReportFault(ex))
            {
                await WriteUnavailableAsync(http, mediaType);
                return true;
            }

            // Not a known failure: the executor's path runs the request and reports it as it reports any resolver's.
            return false;
        }
    }

    /// <summary>
    /// GraphQL is charged by complexity, not per request: one permit per <see cref="AccessOptions.GraphQLComplexityPerPermit"/>
    /// units, less the one the access middleware already charged. Refused → RATE_LIMITED and HTTP 429.
    /// </summary>
    private static async Task ChargeComplexityAsync(ComplexityValidationContext context)
    {
        if (context.Error is not null || context.ValidationContext.UserContext is not GraphQLRequestContext request)
        {
            return;
        }

        request[ImpactItem] = context.TotalImpact;
        var http = request.Http;
        var extra = ExtraPermits(http, context.TotalImpact);
        if (extra <= 0 || http.RequestServices.GetService<IRateCharger>() is not { } charger)
        {
            return; // within the request's own permit, or limits are off
        }

        var decision = await charger.TryChargeAsync(http, extra, http.RequestAborted);
        AccessMiddleware.WriteHeaders(http, decision);
        if (!decision.Allowed)
        {
            http.Items[RateLimitedItem] = decision;
            context.Error = new ValidationError(
                $"This operation's complexity ({context.TotalImpact:F0}) costs {extra + 1} permits of the '{decision.Tier.Id}' tier " +
                $"(bursts of {decision.Tier.Burst}, {decision.BurstRemaining} left, daily quota {decision.DailyRemaining} left): retry in {Math.Ceiling(decision.RetryAfter.TotalSeconds)} s or ask for fewer rows.")
            {
                Code = "RATE_LIMITED",
            };
        }
    }

    /// <summary>Permits beyond the one the access middleware charged that a complexity of <paramref name="impact"/> costs; 0 when limits are off.</summary>
    private static int ExtraPermits(HttpContext http, double impact)
    {
        if (http.Features.Get<RateDecision>() is null || http.RequestServices.GetService<IRateCharger>() is null)
        {
            return 0;
        }

        var perPermit = http.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.GraphQLComplexityPerPermit;
        return (int)Math.Ceiling(impact / perPermit) - 1;
    }

    private const string RateLimitedItem = "dataopen.graphql.rateLimited";

    /// <summary>Request context entry: the complexity the validation charged.</summary>
    private const string ImpactItem = "dataopen.graphql.impact";
    private const string UnavailableItem = "dataopen.graphql.unavailable";

    /// <summary><c>extensions.code</c> of the error while the database is unreachable.</summary>
    public const string UnavailableCode = "SERVICE_UNAVAILABLE";

    /// <summary>The 503 request error (no data entry) with Retry-After; also written for faults met before execution.</summary>
    internal Task WriteUnavailableAsync(HttpContext http, string? mediaType)
    {
        Infrastructure.DatabaseFaults.PrepareResponse(http.Response);
        return WriteRequestErrorAsync(http, mediaType ?? Negotiate(http.Request) ?? Json, StatusCodes.Status503ServiceUnavailable, UnavailableCode, Infrastructure.DatabaseFaults.Message);
    }

    private static GraphQLOperationDefinition? FindOperation(GraphQLDocument document, string? operationName)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        return operationName is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
    }

    private bool TryReadVariables(string json, out Inputs? variables, out string problem)
    {
        variables = null;
        problem = "";
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "variables must be a JSON object.";
                return false;
            }

            variables = serializer.Deserialize<Inputs>(json);
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"variables is not valid JSON: {ex.Message}";
            return false;
        }
    }

    private async Task WriteRequestErrorAsync(HttpContext http, string mediaType, int status, string code, string message)
    {
        var result = new ExecutionResult { Executed = false };
        result.AddError(new ExecutionError(message) { Code = code });
        http.Response.StatusCode = status;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }
}
