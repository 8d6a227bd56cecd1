using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

/// <summary>
/// Runs for every request except /health: resolves the caller from the key presented (an invalid,
/// revoked or expired key is a 401, never silently anonymous), charges one permit to the caller's
/// bucket and daily quota, sets the RateLimit headers (429 when refused), and counts usage.
/// </summary>
public sealed class AccessMiddleware(
    RequestDelegate next,
    KeyStore keys,
    RateLimitService limits,
    UsageCounter usage,
    ClientIp clientIp,
    CatalogStore catalog,
    IOptions<AccessOptions> access,
    IOptions<DataOpenOptions> options)
{
    private readonly byte[]? configAdminHash = string.IsNullOrEmpty(options.Value.AdminKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminKey));

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }

        var (caller, refusal) = await ResolveAsync(http);
        http.Features.Set(caller);

        if (access.Value.RateLimiting)
        {
            var decision = await limits.ChargeAsync(caller, 1, http.RequestAborted);
            http.Features.Set(decision);
            WriteHeaders(http, decision);
            if (!decision.Allowed)
            {
                await RateLimitProblem(decision).ExecuteAsync(http);
                return;
            }
        }

        if (refusal is not null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await Problems.Unauthorized(refusal).ExecuteAsync(http);
            return;
        }

        var door = DoorOf(path);
        var original = http.Features.Get<IHttpResponseBodyFeature>();
        CountingBodyFeature? counting = null;
        if (door is not null && original is not null)
        {
            counting = new CountingBodyFeature(original);
            http.Features.Set<IHttpResponseBodyFeature>(counting);
        }

        try
        {
            await next(http);
        }
        finally
        {
            if (counting is not null)
            {
                http.Features.Set(original);
            }

            var served = http.Features.Get<ServedFeature>();
            var day = RateLimitService.Day(DateTimeOffset.UtcNow).Day;
            usage.Record(day, caller.KeyId ?? 0, served?.DatasetId ?? 0, served?.Door ?? door ?? Doors.Rest, 1, served?.Rows ?? 0, counting?.Written ?? 0);
            CountView(http);
        }
    }

    /// <summary>Writes the IETF RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10) when the response has not started.</summary>
    public static void WriteHeaders(HttpContext http, RateDecision decision)
    {
        if (http.Response.HasStarted)
        {
            return;
        }

        http.Response.Headers["RateLimit-Policy"] = decision.Tier.PolicyHeader;
        http.Response.Headers["RateLimit"] = decision.Header;
        if (!decision.Allowed)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(decision.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The 429 problem: which limit, the tier's numbers, and when it resets.</summary>
    public static IResult RateLimitProblem(RateDecision d)
    {
        var resets = DateTimeOffset.UtcNow + d.RetryAfter;
        var seconds = (int)Math.Ceiling(d.RetryAfter.TotalSeconds);
        var detail = d.Exceeded == LimitKind.DailyQuota
            ? $"Daily quota of the '{d.Tier.Id}' tier ({d.Tier.DailyQuota} requests per day) is used up; it resets at 00:00 Beijing time, in {seconds} s."
            : $"Rate limit of the '{d.Tier.Id}' tier ({d.Tier.RatePerSecond.ToString(CultureInfo.InvariantCulture)} requests/s, bursts of {d.Tier.Burst}) exceeded; retry in {seconds} s.";
        return Problems.Create(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests", detail, new Dictionary<string, object?>
        {
            ["limit"] = d.Exceeded == LimitKind.DailyQuota ? "daily-quota" : "rate",
            ["tier"] = d.Tier.Id,
            ["retryAfterSeconds"] = seconds,
            ["resetsAt"] = resets.ToString("O", CultureInfo.InvariantCulture),
        });
    }

    private async ValueTask<(Caller Caller, string? Refusal)> ResolveAsync(HttpContext http)
    {
        var presented = ApiKeyFormat.Presented(http.Request);
        if (presented is null)
        {
            return (Caller.Anonymous(clientIp.Resolve(http)), null);
        }

        if (configAdminHash is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), configAdminHash))
        {
            return (Caller.ConfigAdmin, null);
        }

        var (state, record) = await keys.ValidateAsync(presented, http.RequestAborted);
        return state switch
        {
            KeyState.Valid => (FromRecord(record!), null),
            KeyState.Revoked => (Caller.Anonymous(clientIp.Resolve(http)), $"The API key {record!.PublicId} was revoked on {record.RevokedAt:yyyy-MM-dd HH:mm} UTC; request a new one at POST /api/v1/keys."),
            KeyState.Expired => (Caller.Anonymous(clientIp.Resolve(http)), $"The API key {record!.PublicId} expired on {record.ExpiresAt:yyyy-MM-dd HH:mm} UTC; request a new one at POST /api/v1/keys."),
            _ => (Caller.Anonymous(clientIp.Resolve(http)),
                "The API key presented is not valid: unknown, mistyped, or replaced by a rotation. Keys look like dok_XXXXXXXX_… and are sent in X-Api-Key, Authorization: Bearer (or bare, CKAN style), X-CKAN-API-Key, or the api_key query parameter; omit the key to be served anonymously."),
        };
    }

    internal static Caller FromRecord(KeyRecord r) =>
        new(r.Id, r.PublicId, r.Role, r.PublisherId, r.Role == Roles.Admin ? TierCatalog.Admin : r.Tier, "key:" + r.Id.ToString(CultureInfo.InvariantCulture), r.Name, r.ExpiresAt);

    /// <summary>Requests whose response bytes are counted per dataset: the data doors.</summary>
    private static string? DoorOf(PathString path)
    {
        if (path.StartsWithSegments("/odata", StringComparison.OrdinalIgnoreCase))
        {
            return Doors.OData;
        }

        if (path.StartsWithSegments("/graphql", StringComparison.OrdinalIgnoreCase))
        {
            return Doors.GraphQL;
        }

        if (path.StartsWithSegments("/api/3/action", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/action", StringComparison.OrdinalIgnoreCase))
        {
            return Doors.Ckan;
        }

        if (path.StartsWithSegments("/api/v1/datasets", StringComparison.OrdinalIgnoreCase, out var rest)
            && rest.Value is { } r && r.Count(c => c == '/') >= 2)
        {
            return r.Contains("/download", StringComparison.OrdinalIgnoreCase) ? Doors.Download : Doors.Rest;
        }

        return null;
    }

    /// <summary>GET /api/v1/datasets/{id} or the dataset page /datasets/{id} answered 200: a view of the dataset (public counter).</summary>
    private void CountView(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method) || http.Response.StatusCode != StatusCodes.Status200OK
            || !(http.Request.Path.StartsWithSegments("/api/v1/datasets", StringComparison.OrdinalIgnoreCase, out var rest)
                 || http.Request.Path.StartsWithSegments("/datasets", StringComparison.OrdinalIgnoreCase, out rest))
            || rest.Value is not { Length: > 1 } r || r.IndexOf('/', 1) >= 0)
        {
            return;
        }

        if (catalog.Current.FindServed(r[1..]) is { } dataset)
        {
            usage.CountView(dataset.Id);
        }
    }
}
