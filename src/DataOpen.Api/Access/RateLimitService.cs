using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using DataOpen.Api.Health;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

/// <summary>
/// Token bucket per partition (client IP for anonymous callers, key id otherwise) and a daily quota,
/// both per tier. With <c>ConnectionStrings:Redis</c> the buckets and quota counters
/// live in Redis and are shared by every instance; when Redis fails, a breaker switches to in-process
/// limiters (framework <see cref="PartitionedRateLimiter"/>) at once and back when Redis answers again.
/// </summary>
public sealed partial class RateLimitService : IRateCharger, IHealthSignal, IDisposable
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private readonly TierCatalog tiers;
    private readonly PartitionedRateLimiter<(string Tier, string Partition)> local;
    private readonly ConcurrentDictionary<string, long> localQuota = new(StringComparer.Ordinal);
    private readonly RedisLimitStore? redis;
    private DateOnly localQuotaDay;
    private int disposed;

    public RateLimitService(TierCatalog tiers, IConfiguration configuration, IOptions<AccessOptions> options, ILogger<RateLimitService> logger, IMeterFactory meters)
    {
        this.tiers = tiers;
        local = PartitionedRateLimiter.Create<(string Tier, string Partition), (string Tier, string Partition)>(
            p => RateLimitPartition.GetTokenBucketLimiter(p, key => LocalBucket(tiers.Get(key.Tier))));
        var cs = configuration.GetConnectionString("Redis");
        if (!string.IsNullOrWhiteSpace(cs))
        {
            redis = new RedisLimitStore(cs, options.Value, logger, meters);
        }
    }

    public string Name => "rateLimits";

    public bool Shared => redis?.IsAvailable ?? false;

    public string Describe() => redis is null ? "ok: local limits (no Redis configured)"
        : redis.IsAvailable ? "ok: shared limits in Redis"
        : "degraded: Redis unavailable, local limits per instance since " + redis.TrippedAt?.ToString("O", CultureInfo.InvariantCulture);

    public ValueTask<RateDecision> TryChargeAsync(HttpContext http, int permits, CancellationToken ct) => ChargeAsync(http.GetCaller(), permits, ct);

    public async ValueTask<RateDecision> ChargeAsync(Caller caller, int permits, CancellationToken ct)
    {
        var tier = tiers.Get(caller.Tier);
        var now = DateTimeOffset.UtcNow;
        var (day, dailyReset) = Day(now);
        if (permits > tier.Burst)
        {
            // Never satisfiable: say so rather than make the client wait for a bucket that cannot hold it.
            return new RateDecision(false, tier, 0, 0, LimitKind.Rate, TimeSpan.FromSeconds(tier.BurstWindowSeconds), dailyReset, false);
        }

        if (redis is not null && redis.IsAvailable)
        {
            var shared = await redis.TryChargeAsync(tier, caller.Partition, permits, day, ct);
            if (shared is { } s)
            {
                // A quota refusal reports the quota as spent, as the local path does (used > quota).
                return Decide(tier, permits, s.Outcome != 1, s.BucketRemaining, s.Outcome == 2 ? tier.DailyQuota + 1 : s.DailyUsed, dailyReset, true);
            }
        }

        using var lease = local.AttemptAcquire((tier.Id, caller.Partition), permits);
        var remaining = local.GetStatistics((tier.Id, caller.Partition))?.CurrentAvailablePermits ?? 0;
        long used = 0;
        if (lease.IsAcquired)
        {
            if (day != localQuotaDay)
            {
                localQuota.Clear();
                localQuotaDay = day;
            }

            used = localQuota.AddOrUpdate(tier.Id + "|" + caller.Partition, permits, (_, v) => v + permits);
        }
        else
        {
            used = localQuota.GetValueOrDefault(tier.Id + "|" + caller.Partition);
        }

        return Decide(tier, permits, lease.IsAcquired, remaining, used, dailyReset, false);
    }

    private static RateDecision Decide(TierPolicy tier, int permits, bool bucketAllowed, long bucketRemaining, long dailyUsed, TimeSpan dailyReset, bool shared)
    {
        bucketRemaining = Math.Clamp(bucketRemaining, 0, tier.Burst);
        var dailyRemaining = Math.Max(0, tier.DailyQuota - dailyUsed);
        if (!bucketAllowed)
        {
            var wait = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((permits - bucketRemaining) / tier.RatePerSecond)));
            return new RateDecision(false, tier, bucketRemaining, dailyRemaining, LimitKind.Rate, wait, dailyReset, shared);
        }

        if (dailyUsed > tier.DailyQuota)
        {
            return new RateDecision(false, tier, bucketRemaining, 0, LimitKind.DailyQuota, dailyReset, dailyReset, shared);
        }

        return new RateDecision(true, tier, bucketRemaining, dailyRemaining, null, TimeSpan.Zero, dailyReset, shared);
    }

    /// <summary>Quotas are per calendar day in China Standard Time: they reset at 00:00 Beijing time.</summary>
    internal static (DateOnly Day, TimeSpan UntilReset) Day(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, Shanghai);
        var day = DateOnly.FromDateTime(local.DateTime);
        var next = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), local.Offset);
        return (day, next - now);
    }

    internal static (int Tokens, TimeSpan Period) Refill(TierPolicy tier) =>
        tier.RatePerSecond >= 1 ? ((int)Math.Round(tier.RatePerSecond), TimeSpan.FromSeconds(1)) : (1, TimeSpan.FromSeconds(1 / tier.RatePerSecond));

    private static TokenBucketRateLimiterOptions LocalBucket(TierPolicy tier)
    {
        var (tokens, period) = Refill(tier);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = tier.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        local.Dispose();
        redis?.Dispose();
    }
}
