using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Access;

/// <summary>Keys, applications for conditional data, the stewards' review, grants, audit and tiers.</summary>
public static partial class AccessEndpoints
{
    private const int MaxText = 4000;

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/tiers", Tiers).WithTags("Access").WithStrictQuery().WithName("ListTiers").WithSummary("The access tiers with their rate, burst and daily quota.");
        app.MapPost("/api/v1/keys", CreateKey).WithTags("Access").WithStrictQuery().WithName("CreateKey")
            .WithSummary("Register for an API key (name, organisation, email, intended use). The key is shown once in the response.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        var me = app.MapGroup("/api/v1/keys/me").WithTags("Access").AddEndpointFilter(AccessFilters.KeyHolder).WithStrictQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        me.MapGet("", Me).WithName("GetMyKey").WithSummary("The calling key: tier, limits, remaining quota, grants, expiry.");
        me.MapPost("/rotate", Rotate).WithName("RotateMyKey").WithSummary("Replace the calling key by a new one (shown once); the old key stops working at once.");
        me.MapDelete("", Revoke).WithName("RevokeMyKey").WithSummary("Revoke the calling key.");
        me.MapGet("/usage", Usage).WithName("GetMyUsage").WithSummary("Requests, rows and bytes per day, dataset and door (written every few seconds).");

        var applications = app.MapGroup("/api/v1/applications").WithTags("Access").AddEndpointFilter(AccessFilters.KeyHolder).WithStrictQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        applications.MapPost("", Apply).WithName("ApplyForDataset")
            .WithSummary("Apply for a conditionally open dataset: fields (the grant covers only those named; none: every field), purpose, scenario, period, organisation, security measures, acceptance of the pledge.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        applications.MapGet("/mine", MyApplications).WithName("MyApplications").WithSummary("The calling key's applications with status and reason.");

        var steward = app.MapGroup("/api/v1/steward").WithTags("Steward").AddEndpointFilter(AccessFilters.Steward).WithStrictQuery()
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

        var admin = app.MapGroup("/api/v1/admin/keys").WithTags("Admin").AddEndpointFilter(AccessFilters.Admin).WithStrictQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapPatch("/{keyId}", UpdateKey).WithName("AdminUpdateKey")
            .WithSummary("Change a key's tier, role (holder, steward, admin), steward publisher or expiry.");
        return app;
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
