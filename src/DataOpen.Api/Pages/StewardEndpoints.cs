using DataOpen.Api.Access;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Pages;

/// <summary>A steward's answer: the new status, an optional reply, and whether the exchange is shown on the public page.</summary>
public sealed record StewardAnswer(string Status, string? Answer, bool Public);

/// <summary>
/// Stewards read and answer error reports, questions and data requests. Open to stewards and
/// administrators only (AccessFilters.Steward), scoped like applications: a steward sees and answers
/// reports on their own publisher's datasets only, and data requests routed to their publisher or to
/// no publisher; admins see all. Anything outside the scope is answered as if it did not exist (404).
/// </summary>
public static class StewardEndpoints
{
    public static IEndpointRouteBuilder MapStewardEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/steward").WithTags("Steward").AddEndpointFilter(AccessFilters.Steward).WithStrictQuery();
        group.MapGet("/feedback", ListFeedback).WithName("ListFeedback")
            .WithSummary("Error reports and questions on the steward's datasets (admins: all), newest first; filter by status and dataset.");
        group.MapPost("/feedback/{id:long}", AnswerFeedback).WithName("AnswerFeedback")
            .WithSummary("Set the status of a report on one of the steward's datasets, answer it, and choose whether the answer is shown on the dataset page.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/requests", ListRequests).WithName("ListDataRequests")
            .WithSummary("Public requests for datasets to be opened, routed to the steward's publisher or to none (admins: all), newest first; filter by status.");
        group.MapPost("/requests/{id:long}", AnswerRequest).WithName("AnswerDataRequest")
            .WithSummary("Set the status of a data request routed to the steward's publisher or to none, answer it, and choose whether it is listed publicly.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<List<FeedbackReport>>, ProblemHttpResult>> ListFeedback(HttpContext http, FeedbackStore store, string? status, string? dataset, CancellationToken ct)
    {
        if (status is not null && !FeedbackKinds.ReportStatuses.Contains(status))
        {
            return BadStatus(status, FeedbackKinds.ReportStatuses);
        }

        return TypedResults.Ok(await store.ReportsAsync(status, dataset, Scope(http), ct));
    }

    private static async Task<Results<Ok<FeedbackReport>, ProblemHttpResult>> AnswerFeedback(long id, HttpContext http, StewardAnswer? body, FeedbackStore store, CancellationToken ct)
    {
        if (Check(body, FeedbackKinds.ReportStatuses) is { } problem)
        {
            return problem;
        }

        var updated = await store.AnswerReportAsync(id, body!.Status, Trim(body.Answer), body.Public, http.GetCaller().Actor, Scope(http), ct);
        return updated is null ? Problems.NotFound($"No feedback report {id} on a dataset you steward.") : TypedResults.Ok(updated);
    }

    private static async Task<Results<Ok<List<DataRequest>>, ProblemHttpResult>> ListRequests(HttpContext http, FeedbackStore store, string? status, CancellationToken ct)
    {
        if (status is not null && !FeedbackKinds.RequestStatuses.Contains(status))
        {
            return BadStatus(status, FeedbackKinds.RequestStatuses);
        }

        return TypedResults.Ok(await store.RequestsAsync(status, Scope(http), ct));
    }

    private static async Task<Results<Ok<DataRequest>, ProblemHttpResult>> AnswerRequest(long id, HttpContext http, StewardAnswer? body, FeedbackStore store, CancellationToken ct)
    {
        if (Check(body, FeedbackKinds.RequestStatuses) is { } problem)
        {
            return problem;
        }

        var updated = await store.AnswerRequestAsync(id, body!.Status, Trim(body.Answer), body.Public, http.GetCaller().Actor, Scope(http), ct);
        return updated is null ? Problems.NotFound($"No data request {id} routed to your department or to none.") : TypedResults.Ok(updated);
    }

    /// <summary>The publisher a steward works for; null for admins, who see every publisher's feedback.</summary>
    private static string? Scope(HttpContext http)
    {
        var caller = http.GetCaller();
        return caller.IsAdmin ? null : caller.PublisherId ?? throw new InvalidOperationException($"The steward key {caller.Actor} has no publisher.");
    }

    private static ProblemHttpResult? Check(StewardAnswer? body, string[] statuses)
    {
        if (body is null)
        {
            return Problems.BadRequest("missing-body", "Send a JSON body {\"status\": …, \"answer\": …, \"public\": true|false}.");
        }

        if (!statuses.Contains(body.Status))
        {
            return BadStatus(body.Status, statuses);
        }

        if (body.Answer is { Length: > FeedbackStore.MaxMessage })
        {
            return Problems.BadRequest("answer-too-long", $"answer may be at most {FeedbackStore.MaxMessage} characters; it has {body.Answer.Length}.", "answer");
        }

        return null;
    }

    private static ProblemHttpResult BadStatus(string? status, string[] statuses) =>
        Problems.BadRequest("unknown-status", $"status must be one of {string.Join(", ", statuses)}; it was '{status}'.", "status");

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
