using System.Net.Mail;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Access;

/// <summary>Keys: self-service registration, the caller's own key, rotation, revocation, usage; and the tiers.</summary>
public static partial class AccessEndpoints
{
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
}
