using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Access;

/// <summary>Settings under <c>DataOpen:Access</c> (environment: <c>DataOpen__Access__Name</c>); all listed in the README (Access).</summary>
public sealed class AccessOptions
{
    public const string Section = "DataOpen:Access";

    /// <summary>
    /// Server secret of the keyed hash (HMAC-SHA256) of API keys. Instances sharing a database must share
    /// it. When empty, one is generated once into <c>{DataDirectory}/key-secret</c> (mode 0600).
    /// </summary>
    public string? KeySecret { get; set; }

    /// <summary>
    /// Lower-case hex SHA-256 of an admin key the operator generated (<c>printf %s "$KEY" | sha256sum</c>);
    /// the key becomes a platform-admin key the first time it is used, once.
    /// </summary>
    public string? BootstrapAdminKeyHash { get; set; }

    /// <summary>Print a one-time admin key in the log at first start when no admin key exists and none is configured.</summary>
    public bool PrintFirstAdminKey { get; set; } = true;

    /// <summary>Proxies (IP addresses or CIDR ranges) whose X-Forwarded-For is believed for the anonymous tier's client IP.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Per-tier overrides of seeds/tiers.json: <c>Tiers:registered:RatePerSecond</c>, <c>:Burst</c>, <c>:DailyQuota</c>.</summary>
    public Dictionary<string, TierOverride> Tiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// False removes the access middleware: no key is resolved (every caller is anonymous, so conditional
    /// rows and admin endpoints are refused), no limits, no usage counting. Only for a benchmark baseline.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Turn the rate limiter off (benchmark baseline, or a gateway in front does it).</summary>
    public bool RateLimiting { get; set; } = true;

    /// <summary>GraphQL complexity units per permit: an operation costs ceil(complexity / this) permits (a 100-row page ≈ 1).</summary>
    [Range(1, 1_000_000)]
    public int GraphQLComplexityPerPermit { get; set; } = 100;

    /// <summary>Timeout of each Redis call of the shared limiter, in milliseconds.</summary>
    [Range(10, 10_000)]
    public int RedisTimeoutMilliseconds { get; set; } = 250;

    /// <summary>How often, while Redis is unavailable, the breaker probes it to resume shared limits.</summary>
    [Range(50, 60_000)]
    public int RedisProbeMilliseconds { get; set; } = 500;

    /// <summary>Seconds a validated key stays cached; changes made through the API evict it at once on every instance.</summary>
    [Range(0, 3600)]
    public int KeyCacheSeconds { get; set; } = 30;

    /// <summary>How often usage counters are written to the database, in seconds.</summary>
    [Range(1, 3600)]
    public int UsageFlushSeconds { get; set; } = 5;

    /// <summary>Working days (public holidays excluded, see <see cref="WorkCalendar"/>) for the formal check of an application (Shandong practice).</summary>
    [Range(1, 100)]
    public int FormalCheckWorkingDays { get; set; } = 5;

    /// <summary>Working days (public holidays excluded, see <see cref="WorkCalendar"/>) for the steward's decision (Shanghai, Guizhou practice).</summary>
    [Range(1, 100)]
    public int DecisionWorkingDays { get; set; } = 15;
}

public sealed class TierOverride
{
    public double? RatePerSecond { get; set; }

    public int? Burst { get; set; }

    public long? DailyQuota { get; set; }
}
