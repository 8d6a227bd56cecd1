using System.Globalization;
using System.Net.Mail;
using System.Text;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

public sealed record KeyRequest(string? Name, string? Organisation, string? Email, string? IntendedUse, DateTimeOffset? ExpiresAt);

public sealed record IssuedKey(string Key, string Id, string Tier, DateTimeOffset? ExpiresAt, string Note);

public sealed record TierLimits(string Tier, double RatePerSecond, int Burst, long DailyQuota);

public sealed record RemainingQuota(long Burst, long Daily, int DailyResetSeconds);

/// <summary>A grant. <c>Fields</c>: the only fields it covers, as its application named them; empty when it covers every field.</summary>
public sealed record GrantDto(long Id, long? ApplicationId, string Dataset, string Key, string KeyName, IReadOnlyList<string> Fields, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil,
    DateTimeOffset GrantedAt, string GrantedBy, string State, DateTimeOffset? RevokedAt, string? RevokedBy, string? RevokeReason);

public sealed record KeyInfo(string Id, string Name, string? Organisation, string Email, string? IntendedUse, string Role, string? Publisher,
    TierLimits Limits, RemainingQuota? Remaining, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RotatedAt, IReadOnlyList<GrantDto> Grants);

public sealed record UsageReport(string Key, DateOnly From, IReadOnlyList<UsageRow> Days);

public sealed record ApplicationRequest(string? Dataset, IReadOnlyList<string>? Fields, string? Purpose, string? Scenario, DateOnly? PeriodStart, DateOnly? PeriodEnd,
    string? Organisation, string? SecurityMeasures, bool? PledgeAccepted);

/// <summary>An application; <c>grantedFields</c> are the fields its grant covers once approved (empty: every field).</summary>
public sealed record ApplicationDto(long Id, string Dataset, string Key, string KeyName, IReadOnlyList<string> Fields, string Purpose, string Scenario,
    DateOnly PeriodStart, DateOnly PeriodEnd, string Organisation, string SecurityMeasures, bool PledgeAccepted, string Status, DateTimeOffset SubmittedAt,
    DateOnly FormalCheckDue, DateOnly DecisionDue, bool Overdue, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, long? GrantId,
    IReadOnlyList<string>? GrantedFields);

/// <summary>An approval: until when, why, and optionally fewer <c>fields</c> than the application named.</summary>
public sealed record ApproveRequest(DateOnly? Until, string? Reason, IReadOnlyList<string>? Fields = null);

public sealed record RejectRequest(string? Reason);

public sealed record RevokeRequest(string? Reason);

public sealed record KeyUpdate(string? Tier, string? Role, string? Publisher, DateTimeOffset? ExpiresAt, bool? ClearExpiry);

public sealed record AdminKeyView(string Id, string Name, string Tier, string Role, string? Publisher, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

public sealed record AuditPage(string Dataset, IReadOnlyList<AccessLogEntry> Entries);

/// <summary>Keys, applications for conditional data, the stewards' review, grants, audit and tiers.</summary>
public static class AccessEndpoints
{
    private const int MaxText = 4000;

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/tiers", Tiers).WithTags("Access").WithName("ListTiers").WithSummary("The access tiers with their rate, burst and daily quota.");
        app.MapPost("/api/v1/keys", CreateKey).WithTags("Access").WithName("CreateKey")
            .WithSummary("Register for an API key (name, organisation, email, intended use). The key is shown once in the response.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        var me = app.MapGroup("/api/v1/keys/me").WithTags("Access").AddEndpointFilter(AccessFilters.KeyHolder)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        me.MapGet("", Me).WithName("GetMyKey").WithSummary("The calling key: tier, limits, remaining quota, grants, expiry.");
        me.MapPost("/rotate", Rotate).WithName("RotateMyKey").WithSummary("Replace the calling key by a new one (shown once); the old key stops working at once.");
        me.MapDelete("", Revoke).WithName("RevokeMyKey").WithSummary("Revoke the calling key.");
        me.MapGet("/usage", Usage).WithName("GetMyUsage").WithSummary("Requests, rows and bytes per day, dataset and door (written every few seconds).");

        var applications = app.MapGroup("/api/v1/applications").WithTags("Access").AddEndpointFilter(AccessFilters.KeyHolder)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        applications.MapPost("", Apply).WithName("ApplyForDataset")
            .WithSummary("Apply for a conditionally open dataset: fields (the grant covers only those named; none: every field), purpose, scenario, period, organisation, security measures, acceptance of the pledge.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        applications.MapGet("/mine", MyApplications).WithName("MyApplications").WithSummary("The calling key's applications with status and reason.");

        var steward = app.MapGroup("/api/v1/steward").WithTags("Steward").AddEndpointFilter(AccessFilters.Steward)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        steward.MapGet("/applications", StewardApplications).WithName("StewardApplications")
            .WithSummary("Applications for the steward's datasets (status=pending|approved|rejected), with formal-check and decision due dates.");
        steward.MapPost("/applications/{id:long}/approve", Approve).WithName("ApproveApplication")
            .WithSummary("Approve: grants the key the dataset — only the fields the application named, if it named any, or fewer (fields) — until the given date (default: the end of the period applied for).");
        steward.MapPost("/applications/{id:long}/reject", Reject).WithName("RejectApplication").WithSummary("Reject with a reason (required).");
        steward.MapGet("/grants", StewardGrants).WithName("StewardGrants").WithSummary("Grants on the steward's datasets.");
        steward.MapPost("/grants/{id:long}/revoke", RevokeGrant).WithName("RevokeGrant").WithSummary("Revoke a grant: effective on the next request.");
        steward.MapGet("/audit", Audit).WithName("StewardAudit")
            .WithSummary("Access log of one of the steward's conditional datasets (?dataset=…&from=…&to=…); format=csv or Accept: text/csv for CSV.");

        var admin = app.MapGroup("/api/v1/admin/keys").WithTags("Admin").AddEndpointFilter(AccessFilters.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapPatch("/{keyId}", UpdateKey).WithName("AdminUpdateKey")
            .WithSummary("Change a key's tier, role (holder, steward, admin), steward publisher or expiry.");
        return app;
    }

    private static Ok<List<TierLimits>> Tiers(TierCatalog tiers) =>
        TypedResults.Ok(tiers.All.Select(t => new TierLimits(t.Id, t.RatePerSecond, t.Burst, t.DailyQuota)).ToList());

    private static async Task<Results<Created<IssuedKey>, ProblemHttpResult>> CreateKey(KeyRequest? body, KeyStore keys, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("missing-body", "Send a JSON body: {\"name\":…, \"organisation\":…, \"email\":…, \"intendedUse\":…}.");
        }

        if (Required(body.Name, "name") is { } p1)
        {
            return p1;
        }

        if (Required(body.Email, "email") is { } p2)
        {
            return p2;
        }

        if (!MailAddress.TryCreate(body.Email!.Trim(), out _))
        {
            return Problems.BadRequest("bad-value", $"email '{Shorten(body.Email)}' is not an email address.", "email");
        }

        if ((TooLong(body.Organisation, "organisation") ?? TooLong(body.IntendedUse, "intendedUse")) is { } p3)
        {
            return p3;
        }

        if (body.ExpiresAt is { } exp && exp <= DateTimeOffset.UtcNow)
        {
            return Problems.BadRequest("bad-value", "expiresAt must be in the future.", "expiresAt");
        }

        var (key, record) = await keys.CreateAsync(body.Name!.Trim(), body.Organisation?.Trim(), body.Email.Trim(), body.IntendedUse?.Trim(),
            TierCatalog.Registered, Roles.Holder, null, body.ExpiresAt, ct);
        return TypedResults.Created("/api/v1/keys/me", new IssuedKey(key, record.PublicId, record.Tier, record.ExpiresAt,
            "Store this key now: it is shown only once and cannot be recovered (only a keyed hash is kept). Send it as X-Api-Key, Authorization: Bearer, or api_key."));
    }

    private static async Task<Results<Ok<KeyInfo>, ProblemHttpResult>> Me(HttpContext http, KeyStore keys, ApplicationStore store, TierCatalog tiers, RateLimitService limits, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var record = await keys.FindByIdAsync(caller.KeyId!.Value, ct);
        if (record is null)
        {
            return Problems.NotFound("The key was removed.");
        }

        var tier = tiers.Get(caller.Tier);
        var decision = http.Features.Get<RateDecision>();
        var grants = await store.GrantsAsync(null, record.Id, ct);
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(new KeyInfo(record.PublicId, record.Name, record.Organisation, record.Email, record.IntendedUse, record.Role, record.PublisherId,
            new TierLimits(tier.Id, tier.RatePerSecond, tier.Burst, tier.DailyQuota),
            decision is null ? null : new RemainingQuota(decision.BurstRemaining, decision.DailyRemaining, (int)Math.Ceiling(decision.DailyReset.TotalSeconds)),
            record.CreatedAt, record.ExpiresAt, record.RotatedAt, grants.Select(g => ToDto(g, now)).ToList()));
    }

    private static async Task<Results<Ok<IssuedKey>, ProblemHttpResult>> Rotate(HttpContext http, KeyStore keys, CancellationToken ct)
    {
        var record = await keys.FindByIdAsync(http.GetCaller().KeyId!.Value, ct);
        var rotated = record is null ? null : await keys.RotateAsync(record, ct);
        if (rotated is null)
        {
            return Problems.NotFound("The key was revoked or removed meanwhile.");
        }

        return TypedResults.Ok(new IssuedKey(rotated.Value.Key, rotated.Value.Record.PublicId, rotated.Value.Record.Tier, rotated.Value.Record.ExpiresAt,
            "The previous key no longer works. Store this one now: it is shown only once."));
    }

    private static async Task<NoContent> Revoke(HttpContext http, KeyStore keys, CancellationToken ct)
    {
        var record = await keys.FindByIdAsync(http.GetCaller().KeyId!.Value, ct);
        if (record is not null)
        {
            await keys.RevokeAsync(record, ct);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UsageReport>, ProblemHttpResult>> Usage(HttpContext http, UsageCounter usage, int? days, CancellationToken ct)
    {
        var n = days ?? 30;
        if (n is < 1 or > 366)
        {
            return Problems.BadRequest("bad-value", $"days must be between 1 and 366, not {n}.", "days");
        }

        var caller = http.GetCaller();
        var from = RateLimitService.Day(DateTimeOffset.UtcNow).Day.AddDays(1 - n);
        return TypedResults.Ok(new UsageReport(caller.PublicId!, from, await usage.ReadAsync(caller.KeyId!.Value, from, ct)));
    }

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

    private static async Task<Results<Ok<AdminKeyView>, ProblemHttpResult>> UpdateKey(string keyId, HttpContext http, KeyUpdate? body, KeyStore keys, TierCatalog tiers,
        AuditLog audit, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("missing-body", "Send a JSON body with any of tier, role, publisher, expiresAt, clearExpiry.");
        }

        if (body.Tier is { } tier && !tiers.Exists(tier))
        {
            return Problems.BadRequest("bad-value", $"No tier '{Shorten(tier)}'; tiers are {string.Join(", ", tiers.All.Select(t => t.Id))}.", "tier");
        }

        if (body.Role is { } role && !Roles.IsValid(role))
        {
            return Problems.BadRequest("bad-value", $"role must be holder, steward or admin, not '{Shorten(role)}'.", "role");
        }

        if (body.Publisher is { } publisher && !await keys.PublisherExistsAsync(publisher, ct))
        {
            return Problems.BadRequest("bad-value", $"No publisher '{Shorten(publisher)}'.", "publisher");
        }

        var before = await keys.FindByPublicIdAsync(keyId, ct);
        if (before is null)
        {
            return Problems.NotFound($"No key '{Shorten(keyId)}'.");
        }

        if ((body.Role ?? before.Role) == Roles.Steward && (body.Publisher ?? before.PublisherId) is null)
        {
            return Problems.BadRequest("missing-value", "A steward key needs the publisher whose datasets it stewards.", "publisher");
        }

        var after = (await keys.UpdateAsync(keyId, body.Tier, body.Role, body.Publisher, body.ExpiresAt, body.ClearExpiry == true, ct))!;
        var caller = http.GetCaller();
        if (after.Tier != before.Tier)
        {
            await audit.AdminAsync(caller, "tier-change", after.PublicId, new { from = before.Tier, to = after.Tier }, ct);
        }

        if (after.Role != before.Role || after.PublisherId != before.PublisherId)
        {
            await audit.AdminAsync(caller, "role-change", after.PublicId, new { from = before.Role, to = after.Role, publisher = after.PublisherId }, ct);
        }

        if (after.ExpiresAt != before.ExpiresAt)
        {
            await audit.AdminAsync(caller, "expiry-change", after.PublicId, new { from = before.ExpiresAt, to = after.ExpiresAt }, ct);
        }

        return TypedResults.Ok(new AdminKeyView(after.PublicId, after.Name, after.Tier, after.Role, after.PublisherId, after.ExpiresAt, after.RevokedAt));
    }

    private static GrantDto ToDto(GrantRecord g, DateTimeOffset now) => new(g.Id, g.ApplicationId, g.Dataset, g.KeyPublicId, g.KeyName, g.Fields, g.ValidFrom, g.ValidUntil,
        g.GrantedAt, g.GrantedBy, g.State(now), g.RevokedAt, g.RevokedBy, g.RevokeReason);

    private static ApplicationDto ToDto(ApplicationRecord a, DateOnly today) => new(a.Id, a.Dataset, a.KeyPublicId, a.KeyName, a.Fields, a.Purpose, a.Scenario,
        a.PeriodStart, a.PeriodEnd, a.Organisation, a.SecurityMeasures, a.PledgeAccepted, a.Status, a.SubmittedAt, a.FormalCheckDue, a.DecisionDue,
        a.Status == "pending" && a.DecisionDue < today, a.DecidedAt, a.DecidedBy, a.Reason, a.GrantId, a.GrantedFields);

    private static ProblemHttpResult? Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? Problems.BadRequest("missing-value", $"{name} is required.", name) : TooLong(value, name);

    private static ProblemHttpResult? TooLong(string? value, string name) =>
        value is { Length: > MaxText } ? Problems.BadRequest("too-long", $"{name} is longer than {MaxText} characters.", name) : null;

    private static string Shorten(string? s) => s is null ? "" : s.Length <= 60 ? s : s[..60] + "…";

    private static string Csv(string? s) =>
        s is null ? "" : s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
