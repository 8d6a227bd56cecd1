using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

/// <summary>Applications for conditionally open data, as the applicant sees them.</summary>
public static partial class AccessEndpoints
{
    private static async Task<Results<Created<ApplicationDto>, ProblemHttpResult>> Apply(HttpContext http, ApplicationRequest? body, CatalogStore catalog,
        ApplicationStore store, WorkCalendar calendar, IOptions<AccessOptions> options, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("missing-body", "Send a JSON body with dataset, fields, purpose, scenario, periodStart, periodEnd, organisation, securityMeasures and pledgeAccepted.");
        }

        if ((Required(body.Dataset, "dataset") ?? Required(body.Purpose, "purpose") ?? Required(body.Scenario, "scenario")
            ?? Required(body.Organisation, "organisation") ?? Required(body.SecurityMeasures, "securityMeasures")) is { } missing)
        {
            return missing;
        }

        var dataset = catalog.Current.FindServed(body.Dataset!.Trim());
        if (dataset is null || dataset.IsRetired || dataset.Current is null)
        {
            return Problems.NotFound($"No dataset '{Shorten(body.Dataset)}' is published.");
        }

        if (dataset.OpenClass != OpenClasses.Conditional)
        {
            return Problems.BadRequest("not-conditional", $"Dataset '{dataset.Identifier}' is unconditionally open: its rows need no application.", "dataset");
        }

        var fields = body.Fields ?? [];
        var known = dataset.Current.Shape.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (fields.FirstOrDefault(f => !known.Contains(f)) is { } unknown)
        {
            return Problems.BadRequest("unknown-field", $"Dataset '{dataset.Identifier}' has no field '{Shorten(unknown)}'; its fields are {string.Join(", ", known)}.", "fields");
        }

        var today = RateLimitService.Day(DateTimeOffset.UtcNow).Day;
        if (body.PeriodStart is null || body.PeriodEnd is null)
        {
            return Problems.BadRequest("missing-value", "periodStart and periodEnd (yyyy-mm-dd) are required: the period of use.", body.PeriodStart is null ? "periodStart" : "periodEnd");
        }

        if (body.PeriodEnd < body.PeriodStart)
        {
            return Problems.BadRequest("bad-value", $"periodEnd {body.PeriodEnd:yyyy-MM-dd} is before periodStart {body.PeriodStart:yyyy-MM-dd}.", "periodEnd");
        }

        if (body.PeriodEnd < today)
        {
            return Problems.BadRequest("bad-value", $"periodEnd {body.PeriodEnd:yyyy-MM-dd} is in the past.", "periodEnd");
        }

        if (body.PledgeAccepted != true)
        {
            return Problems.BadRequest("pledge-required", "pledgeAccepted must be true: the security pledge (安全承诺书) and data-use agreement must be accepted.", "pledgeAccepted");
        }

        if ((TooLong(body.Purpose, "purpose") ?? TooLong(body.Scenario, "scenario") ?? TooLong(body.Organisation, "organisation")
            ?? TooLong(body.SecurityMeasures, "securityMeasures")) is { } tooLong)
        {
            return tooLong;
        }

        var o = options.Value;
        var record = await store.SubmitAsync(new NewApplication(http.GetCaller().KeyId!.Value, dataset.Id, fields.Distinct(StringComparer.Ordinal).ToList(),
            body.Purpose!.Trim(), body.Scenario!.Trim(), body.PeriodStart.Value, body.PeriodEnd.Value, body.Organisation!.Trim(), body.SecurityMeasures!.Trim()),
            calendar.AddWorkingDays(today, o.FormalCheckWorkingDays), calendar.AddWorkingDays(today, o.DecisionWorkingDays), ct);
        return TypedResults.Created($"/api/v1/applications/mine#{record.Id}", ToDto(record, today));
    }

    private static async Task<Ok<List<ApplicationDto>>> MyApplications(HttpContext http, ApplicationStore store, CancellationToken ct)
    {
        var today = RateLimitService.Day(DateTimeOffset.UtcNow).Day;
        return TypedResults.Ok((await store.ApplicationsOfKeyAsync(http.GetCaller().KeyId!.Value, ct)).Select(a => ToDto(a, today)).ToList());
    }
}
