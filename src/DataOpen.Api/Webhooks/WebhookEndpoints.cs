using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Webhooks;

/// <summary>A key holder's webhook subscriptions to datasets' new versions, and their delivery logs.</summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").WithStrictQuery().AddEndpointFilter(AccessFilters.KeyHolder);
        group.MapPost("", Create).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to a dataset's new versions; the signing secret (whsec_…) is in this answer only.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("", List).WithName("ListWebhooks").WithSummary("The caller's subscriptions.");
        group.MapGet("/{id:long}", Get).WithName("GetWebhook").WithSummary("One subscription: status, failures in a row, why it was disabled.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The delivery log: the newest deliveries with every attempt (status code, error, duration).").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/enable", Enable).WithName("EnableWebhook")
            .WithSummary("Activate a disabled subscription again (its failure count starts from zero).").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", Delete).WithName("DeleteWebhook").WithSummary("Delete a subscription; pending deliveries are cancelled.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<CreatedWebhook>, ProblemHttpResult>> Create(
        WebhookRequest? body, HttpContext http, CatalogStore catalog, ApplicationStore applications, WebhookStore store, IOptions<WebhookOptions> options, CancellationToken ct)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Dataset))
        {
            return Problems.BadRequest("missing-body", "Send a JSON body: {\"dataset\": \"air-quality-hourly\", \"url\": \"https://example.org/hook\"}.", "dataset");
        }

        var dataset = catalog.Current.FindServed(body.Dataset);
        if (dataset is null || dataset.IsRetired)
        {
            return Problems.NotFound($"No dataset '{body.Dataset}' is published.");
        }

        var caller = http.GetCaller();
        if (dataset.OpenClass == OpenClasses.Conditional && !caller.Stewards(dataset.Metadata.Publisher)
            && await applications.LiveGrantAsync(caller.KeyId!.Value, dataset.Id, ct) is null)
        {
            return Problems.Forbidden("grant-required",
                $"Dataset '{dataset.Identifier}' is conditionally open: only keys with a live grant for it may subscribe to its versions. Apply at {CatalogEndpoints.BaseUrl(http.Request)}/datasets/{dataset.Identifier}#apply.",
                new Dictionary<string, object?> { ["dataset"] = dataset.Identifier });
        }

        var policy = new WebhookUrlPolicy(options.Value);
        var refusal = policy.Check(body.Url);
        if (refusal is null)
        {
            (_, refusal) = await policy.ResolveAsync(new Uri(body.Url!).IdnHost, ct);
        }

        if (refusal is not null)
        {
            return Problems.BadRequest("unsafe-url", $"The webhook URL is refused: {refusal}. Deliveries go only to https URLs on public addresses.", "url");
        }

        var baseUrl = CatalogEndpoints.BaseUrl(http.Request);
        var (created, secret, conflict) = await store.CreateAsync(caller.KeyId!.Value, dataset.Id, body.Url!, baseUrl, options.Value.MaxSubscriptionsPerKey, ct);
        if (created is null)
        {
            return Problems.Conflict(conflict!);
        }

        var deliveries = $"{baseUrl}/api/v1/webhooks/{created.Id}/deliveries";
        return TypedResults.Created($"{baseUrl}/api/v1/webhooks/{created.Id}", new CreatedWebhook(created.Id, created.Dataset, created.Url, created.Status, secret!, created.CreatedAt, deliveries));
    }

    private static async Task<Ok<IReadOnlyList<WebhookDto>>> List(HttpContext http, WebhookStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(http.GetCaller().KeyId!.Value, null, ct));

    private static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> Get(long id, HttpContext http, WebhookStore store, CancellationToken ct) =>
        (await store.ListAsync(http.GetCaller().KeyId!.Value, id, ct)) is [var one] ? TypedResults.Ok(one) : NotFound(id);

    private static async Task<Results<Ok<IReadOnlyList<DeliveryDto>>, ProblemHttpResult>> Deliveries(
        long id, [FromQuery] string? limit, HttpContext http, WebhookStore store, CancellationToken ct)
    {
        var take = 50;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out take) || take is < 1 or > 500))
        {
            return Problems.BadRequest("limit-out-of-range", $"limit must be a whole number between 1 and 500; it was '{limit}'.", "limit");
        }

        if ((await store.ListAsync(http.GetCaller().KeyId!.Value, id, ct)).Count == 0)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(await store.DeliveriesAsync(id, take, ct));
    }

    private static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> Enable(long id, HttpContext http, WebhookStore store, CancellationToken ct)
    {
        var keyId = http.GetCaller().KeyId!.Value;
        return await store.EnableAsync(keyId, id, ct) && (await store.ListAsync(keyId, id, ct)) is [var one] ? TypedResults.Ok(one) : NotFound(id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, HttpContext http, WebhookStore store, CancellationToken ct) =>
        await store.DeleteAsync(http.GetCaller().KeyId!.Value, id, ct) ? TypedResults.NoContent() : NotFound(id);

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"This key has no webhook subscription {id}.");
}
