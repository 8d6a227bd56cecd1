using System.Globalization;
using System.Text;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Access;

/// <summary>The stewards' review: applications, grants and the access log of their own publisher's datasets.</summary>
public static partial class AccessEndpoints
{
    private static async Task<Results<Ok<List<ApplicationDto>>, ProblemHttpResult>> StewardApplications(HttpContext http, ApplicationStore store, string? status, CancellationToken ct)
    {
        if (status is not (null or "pending" or "approved" or "rejected"))
        {
            return Problems.BadRequest("bad-value", $"status must be pending, approved or rejected, not '{Shorten(status)}'.", "status");
        }

        var caller = http.GetCaller();
        var today = RateLimitService.Day(DateTimeOffset.UtcNow).Day;
        var list = await store.ApplicationsForStewardAsync(caller.IsAdmin ? null : caller.PublisherId, status, ct);
        return TypedResults.Ok(list.Select(a => ToDto(a, today)).ToList());
    }

    private static async Task<Results<Ok<ApplicationDto>, ProblemHttpResult>> Approve(long id, HttpContext http, ApproveRequest? body, ApplicationStore store, CatalogStore catalog, AuditLog audit, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var application = await store.ApplicationAsync(id, ct);
        if (application is null || !caller.Stewards(application.PublisherId))
        {
            return Problems.NotFound($"No application {id} for a dataset you steward.");
        }

        if (application.Status != "pending")
        {
            return Problems.Conflict($"Application {id} was already {application.Status}.");
        }

        var today = RateLimitService.Day(DateTimeOffset.UtcNow).Day;
        var until = body?.Until ?? application.PeriodEnd;
        if (until < today)
        {
            return Problems.BadRequest("bad-value", $"until {until:yyyy-MM-dd} is in the past.", "until");
        }

        if (TooLong(body?.Reason, "reason") is { } tooLong)
        {
            return tooLong;
        }

        // A steward may grant fewer fields than were applied for (of a whole-dataset application, any of the dataset's fields).
        IReadOnlyList<string>? fields = null;
        if (body?.Fields is { } narrowed)
        {
            var applied = application.Fields.Count > 0
                ? application.Fields
                : catalog.Current.FindServed(application.Dataset)?.Current?.Shape.Fields.Select(f => f.Name).ToList() ?? [];
            if (narrowed.Count == 0)
            {
                return Problems.BadRequest("bad-value", "fields must name at least one field; leave it out to grant the fields applied for.", "fields");
            }

            if (narrowed.FirstOrDefault(f => !applied.Contains(f, StringComparer.Ordinal)) is { } other)
            {
                return Problems.BadRequest("field-not-applied-for", $"Field '{Shorten(other)}' is not among those applied for: {string.Join(", ", applied)}.", "fields");
            }

            fields = narrowed.Distinct(StringComparer.Ordinal).ToList();
        }

        // The grant runs to the end of the 'until' day, Beijing time.
        var end = new DateTimeOffset(until.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
        var grantId = await store.ApproveAsync(id, end, body?.Reason?.Trim(), fields, caller, ct);
        if (grantId is null)
        {
            return Problems.Conflict($"Application {id} was decided meanwhile.");
        }

        await audit.AdminAsync(caller, "grant", application.Dataset, new { application = id, grant = grantId, key = application.KeyPublicId, until = until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), fields }, ct);
        return TypedResults.Ok(ToDto((await store.ApplicationAsync(id, ct))!, today));
    }

    private static async Task<Results<Ok<ApplicationDto>, ProblemHttpResult>> Reject(long id, HttpContext http, RejectRequest? body, ApplicationStore store, AuditLog audit, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var application = await store.ApplicationAsync(id, ct);
        if (application is null || !caller.Stewards(application.PublisherId))
        {
            return Problems.NotFound($"No application {id} for a dataset you steward.");
        }

        if (string.IsNullOrWhiteSpace(body?.Reason))
        {
            return Problems.BadRequest("missing-value", "A rejection needs a reason: the applicant sees it.", "reason");
        }

        if (TooLong(body.Reason, "reason") is { } tooLong)
        {
            return tooLong;
        }

        if (!await store.RejectAsync(id, body.Reason.Trim(), caller, ct))
        {
            return Problems.Conflict($"Application {id} was already {application.Status}.");
        }

        await audit.AdminAsync(caller, "reject", application.Dataset, new { application = id, key = application.KeyPublicId }, ct);
        return TypedResults.Ok(ToDto((await store.ApplicationAsync(id, ct))!, RateLimitService.Day(DateTimeOffset.UtcNow).Day));
    }

    private static async Task<Ok<List<GrantDto>>> StewardGrants(HttpContext http, ApplicationStore store, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Ok((await store.GrantsAsync(caller.IsAdmin ? null : caller.PublisherId, null, ct)).Select(g => ToDto(g, now)).ToList());
    }

    private static async Task<Results<Ok<GrantDto>, ProblemHttpResult>> RevokeGrant(long id, HttpContext http, RevokeRequest? body, ApplicationStore store, AuditLog audit, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var grant = await store.GrantAsync(id, ct);
        if (grant is null || !caller.Stewards(grant.PublisherId))
        {
            return Problems.NotFound($"No grant {id} on a dataset you steward.");
        }

        if (TooLong(body?.Reason, "reason") is { } tooLong)
        {
            return tooLong;
        }

        if (!await store.RevokeGrantAsync(id, body?.Reason?.Trim(), caller, ct))
        {
            return Problems.Conflict($"Grant {id} was already revoked.");
        }

        await audit.AdminAsync(caller, "revoke", grant.Dataset, new { grant = id, key = grant.KeyPublicId, reason = body?.Reason }, ct);
        return TypedResults.Ok(ToDto((await store.GrantAsync(id, ct))!, DateTimeOffset.UtcNow));
    }

    private static async Task<IResult> Audit(HttpContext http, string? dataset, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? format,
        CatalogStore catalog, AuditLog audit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(dataset))
        {
            return Problems.BadRequest("missing-value", "dataset is required: the identifier of a dataset you steward.", "dataset");
        }

        var entry = catalog.Current.Find(dataset.Trim());
        var caller = http.GetCaller();
        if (entry is null || !caller.Stewards(entry.Metadata.Publisher))
        {
            return Problems.NotFound($"No dataset '{Shorten(dataset)}' that you steward.");
        }

        var n = limit ?? 10_000;
        if (n is < 1 or > 100_000)
        {
            return Problems.BadRequest("bad-value", $"limit must be between 1 and 100000, not {n}.", "limit");
        }

        if (format is not (null or "json" or "csv"))
        {
            return Problems.BadRequest("bad-value", $"format must be json or csv, not '{Shorten(format)}'.", "format");
        }

        var entries = await audit.ReadAccessAsync(entry.Id, from, to, n, ct);
        var csv = format == "csv" || (format is null && http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        if (!csv)
        {
            return TypedResults.Ok(new AuditPage(entry.Identifier, entries));
        }

        var sb = new StringBuilder("id,at,key,dataset,version,door,query,rows\r\n");
        foreach (var e in entries)
        {
            sb.Append(e.Id.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(e.At.ToString("O", CultureInfo.InvariantCulture)).Append(',')
              .Append(Csv(e.Key)).Append(',').Append(Csv(e.Dataset)).Append(',')
              .Append(e.Version?.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(Csv(e.Door)).Append(',').Append(Csv(e.Query)).Append(',')
              .Append(e.Rows.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray(), "text/csv; charset=utf-8",
            $"audit-{entry.Identifier}.csv");
    }
}
