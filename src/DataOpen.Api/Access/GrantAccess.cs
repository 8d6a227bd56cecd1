using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Access;

/// <summary>Rows served by the doors in this request, for the usage counter.</summary>
public sealed class ServedFeature
{
    public long DatasetId { get; set; }

    public string? Door { get; set; }

    public long Rows { get; set; }
}

/// <summary>
/// The grant-aware access rule: the open-class rule of <see cref="OpenClassAccess"/>, and conditional
/// rows for keys holding a live grant (checked in the database on every request, so a revocation takes
/// effect on the next one) — limited to the fields the grant's application named, if it named any —
/// and, with every field, for the dataset's stewards and for platform admins.
/// </summary>
public sealed partial class GrantAccess(ApplicationStore store, AuditLog audit, UsageCounter usage) : IDatasetAccess
{
    /// <summary>The query as the client wrote it, less any api_key parameter: the audit log must never hold a key.</summary>
    public static string? WithoutKey(string? query) => query is null ? null : ApiKeyParameter().Replace(query, "").TrimStart('?', '&');

    [System.Text.RegularExpressions.GeneratedRegex("(?<=^|[?&])api_key=[^&]*&?", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ApiKeyParameter();

    public async ValueTask<AccessDecision> AuthorizeRowsAsync(HttpContext http, DatasetEntry dataset, string door, CancellationToken ct)
    {
        var decision = OpenClassAccess.Decide(http, dataset);
        if (decision.Outcome != AccessOutcome.NeedsGrant)
        {
            return decision;
        }

        var caller = http.GetCaller();
        if (caller.Stewards(dataset.Metadata.Publisher))
        {
            return AccessDecision.Allow;
        }

        if (caller.KeyId is long keyId && await store.LiveGrantAsync(keyId, dataset.Id, ct) is { } grant)
        {
            return grant.AllFields ? AccessDecision.Allow : new AccessDecision(AccessOutcome.Allowed, Fields: grant.Fields);
        }

        return caller.KeyId is null
            ? decision with { Message = decision.Message + " Send an API key with an approved application (X-Api-Key, Authorization: Bearer or api_key)." }
            : decision with { Message = decision.Message + " This key holds no live grant for it (none approved, expired or revoked)." };
    }

    public async ValueTask RecordServedAsync(HttpContext http, DatasetEntry dataset, int? version, string door, string? query, long rows, CancellationToken ct)
    {
        var served = http.Features.Get<ServedFeature>();
        if (served is null)
        {
            served = new ServedFeature();
            http.Features.Set(served);
        }

        served.DatasetId = dataset.Id;
        served.Door = door;
        served.Rows += rows;
        if (door == Doors.Download)
        {
            usage.CountDownload(dataset.Id);
        }
        else
        {
            usage.CountApiCall(dataset.Id);
        }

        if (dataset.OpenClass == OpenClasses.Conditional)
        {
            // Not cancellable: rows already went out, the record of it must not be lost to a client hanging up.
            await audit.AccessAsync(http.GetCaller(), new DatasetEntryRef(dataset.Id, dataset.Identifier), version ?? dataset.Current?.Version, door, WithoutKey(query), rows, CancellationToken.None);
        }
    }
}
