using System.Globalization;

namespace DataOpen.Api.Access;

public enum LimitKind
{
    Rate,
    DailyQuota,
}

/// <summary>The outcome of charging permits to a caller's partition, with what the RateLimit headers report.</summary>
public sealed record RateDecision(bool Allowed, TierPolicy Tier, long BurstRemaining, long DailyRemaining, LimitKind? Exceeded, TimeSpan RetryAfter, TimeSpan DailyReset, bool Shared)
{
    /// <summary>The IETF RateLimit field value (draft-ietf-httpapi-ratelimit-headers-10): remaining and seconds until full/reset per policy.</summary>
    public string Header
    {
        get
        {
            var burstReset = (int)Math.Ceiling((Tier.Burst - BurstRemaining) / Tier.RatePerSecond);
            return string.Create(CultureInfo.InvariantCulture,
                $"\"burst\";r={BurstRemaining};t={Math.Max(0, burstReset)}, \"daily\";r={DailyRemaining};t={(int)Math.Ceiling(DailyReset.TotalSeconds)}");
        }
    }
}

/// <summary>
/// Charges permits to the caller's partition. The middleware charges one per request; the GraphQL door
/// charges its query's complexity on top (see the README, Access) and answers 429 when refused.
/// </summary>
public interface IRateCharger
{
    ValueTask<RateDecision> TryChargeAsync(HttpContext http, int permits, CancellationToken ct);
}
