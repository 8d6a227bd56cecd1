using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Access;

/// <summary>Admin changes to keys: tier, role, steward publisher, expiry.</summary>
public static partial class AccessEndpoints
{
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
}
