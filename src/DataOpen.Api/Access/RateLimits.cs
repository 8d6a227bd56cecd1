using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using DataOpen.Api.Health;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

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

/// <summary>
/// Token bucket per partition (client IP for anonymous callers, key id otherwise) and a daily quota,
/// both per tier. With <c>ConnectionStrings:Redis</c> the buckets (RedisRateLimiting) and quota counters
/// live in Redis and are shared by every instance; when Redis fails, a breaker switches to in-process
/// limiters (framework <see cref="PartitionedRateLimiter"/>) at once and back when Redis answers again.
/// </summary>
public sealed class RateLimitService : IRateCharger, IHealthSignal, IDisposable
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly LuaScript QuotaScript = LuaScript.Prepare(
        """
        local v = redis.call('INCRBY', @key, @permits)
        if v == tonumber(@permits) then redis.call('EXPIRE', @key, 172800) end
        return v
        """);

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
                return Decide(tier, permits, s.BucketAllowed, s.BucketRemaining, s.DailyUsed, dailyReset, true);
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

    /// <summary>Redis with short timeouts and a breaker: any failure switches to local limits until a probe succeeds.</summary>
    private sealed class RedisLimitStore : IDisposable
    {
        private readonly ConnectionMultiplexer mux;
        private readonly TimeSpan timeout;
        private readonly TimeSpan probeEvery;
        private readonly ILogger logger;
        private readonly Counter<long> fallbacks;
        private readonly ConcurrentDictionary<(string, string), RateLimiter> buckets = new();
        private readonly CancellationTokenSource stopping = new();
        private int tripped;
        private int disposed;

        public RedisLimitStore(string connectionString, AccessOptions options, ILogger logger, IMeterFactory meters)
        {
            this.logger = logger;
            timeout = TimeSpan.FromMilliseconds(options.RedisTimeoutMilliseconds);
            probeEvery = TimeSpan.FromMilliseconds(options.RedisProbeMilliseconds);
            var config = ConfigurationOptions.Parse(connectionString);
            config.AbortOnConnectFail = false;
            config.ConnectTimeout = Math.Max(options.RedisTimeoutMilliseconds, 1000);
            config.SyncTimeout = options.RedisTimeoutMilliseconds;
            config.AsyncTimeout = options.RedisTimeoutMilliseconds;
            config.ConnectRetry = 1;
            config.ReconnectRetryPolicy = new LinearRetry(options.RedisProbeMilliseconds);
            mux = ConnectionMultiplexer.Connect(config);
            var meter = meters.Create("DataOpen.Access");
            fallbacks = meter.CreateCounter<long>("dataopen.ratelimit.redis_fallbacks", description: "Times the shared limiter fell back to local limits because Redis failed.");
            meter.CreateObservableGauge("dataopen.ratelimit.shared", () => IsAvailable ? 1 : 0, description: "1 while limits are shared through Redis, 0 while local.");
            if (!mux.IsConnected)
            {
                Trip("not reachable at start");
            }
        }

        public bool IsAvailable => Volatile.Read(ref tripped) == 0;

        public DateTimeOffset? TrippedAt { get; private set; }

        public async ValueTask<(bool BucketAllowed, long BucketRemaining, long DailyUsed)?> TryChargeAsync(TierPolicy tier, string partition, int permits, DateOnly day, CancellationToken ct)
        {
            if (!mux.IsConnected)
            {
                Trip("disconnected");
                return null;
            }

            try
            {
                var limiter = buckets.GetOrAdd((tier.Id, partition), k => NewBucket(tier, $"dataopen:{k.Item1}:{k.Item2}"));
                // The quota increment goes out with the bucket's script (one round trip, pipelined on the
                // multiplexer) and is given back when the bucket refuses: refused requests cost no quota.
                var db = mux.GetDatabase();
                var quotaKey = (RedisKey)$"dataopen:quota:{tier.Id}:{partition}:{day:yyyyMMdd}";
                var quota = db.ScriptEvaluateAsync(QuotaScript, new { key = quotaKey, permits });
                using var lease = await limiter.AcquireAsync(permits, ct).AsTask().WaitAsync(timeout, ct);
                var remaining = lease.TryGetMetadata("RATELIMIT_REMAINING", out var r) ? Convert.ToInt64(r, CultureInfo.InvariantCulture) : 0;
                var used = (long)await quota.WaitAsync(timeout, ct);
                if (!lease.IsAcquired)
                {
                    db.StringDecrement(quotaKey, permits, CommandFlags.FireAndForget);
                    used -= permits;
                }

                return (lease.IsAcquired, remaining, used);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                Trip(ex.GetType().Name + ": " + ex.Message);
                return null;
            }
        }

        private RedisTokenBucketRateLimiter<string> NewBucket(TierPolicy tier, string partition)
        {
            var (tokens, period) = Refill(tier);
            return new RedisTokenBucketRateLimiter<string>(partition, new RedisTokenBucketRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => mux,
                TokenLimit = tier.Burst,
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = period,
            });
        }

        private void Trip(string reason)
        {
            if (Interlocked.Exchange(ref tripped, 1) == 1)
            {
                return;
            }

            TrippedAt = DateTimeOffset.UtcNow;
            fallbacks.Add(1);
            logger.LogWarning("Redis rate-limit store unavailable ({Reason}): limits are local to this instance until it answers again", reason);
            _ = Task.Run(ProbeAsync);
        }

        private async Task ProbeAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(probeEvery, stopping.Token);
                    if (mux.IsConnected)
                    {
                        await mux.GetDatabase().PingAsync().WaitAsync(timeout, stopping.Token);
                        TrippedAt = null;
                        Volatile.Write(ref tripped, 0);
                        logger.LogInformation("Redis rate-limit store answers again: shared limits resumed");
                        return;
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
                {
                    // Still down: probe again.
                }
            }
        }

        public void Dispose()
        {
            // The service is registered under three types: the container disposes it once per registration.
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            stopping.Cancel();
            mux.Dispose();
            stopping.Dispose();
        }
    }
}
