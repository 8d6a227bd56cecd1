using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Access;

/// <summary>One tier: a token bucket (<see cref="RatePerSecond"/> refill, <see cref="Burst"/> capacity) and a daily quota.</summary>
public sealed record TierPolicy(string Id, string NameZh, string? NameEn, double RatePerSecond, int Burst, long DailyQuota, bool RequiresKey)
{
    /// <summary>Seconds an empty bucket takes to fill: the window of the "burst" policy in RateLimit-Policy.</summary>
    public int BurstWindowSeconds => Math.Max(1, (int)Math.Ceiling(Burst / RatePerSecond));

    /// <summary>The IETF RateLimit-Policy field value (draft-ietf-httpapi-ratelimit-headers-10).</summary>
    public string PolicyHeader { get; } = string.Create(CultureInfo.InvariantCulture,
        $"\"burst\";q={Burst};w={Math.Max(1, (int)Math.Ceiling(Burst / RatePerSecond))}, \"daily\";q={DailyQuota};w=86400");
}

/// <summary>The tiers in force: seeds/tiers.json with per-tier overrides from settings.</summary>
public sealed class TierCatalog
{
    public const string Anonymous = "anonymous";
    public const string Registered = "registered";
    public const string Admin = "admin";

    private readonly FrozenDictionary<string, TierPolicy> tiers;

    public TierCatalog(IOptions<DataOpenOptions> options, IOptions<AccessOptions> access)
    {
        var path = Path.Combine(RepoPaths.Resolve(options.Value.SeedsPath), "tiers.json");
        var list = File.Exists(path) ? Read(path) : Defaults();
        foreach (var (id, o) in access.Value.Tiers)
        {
            var i = list.FindIndex(t => t.Id == id);
            if (i < 0)
            {
                throw new InvalidOperationException($"DataOpen:Access:Tiers:{id}: no tier '{id}'; tiers are {string.Join(", ", list.Select(t => t.Id))}.");
            }

            list[i] = list[i] with
            {
                RatePerSecond = o.RatePerSecond ?? list[i].RatePerSecond,
                Burst = o.Burst ?? list[i].Burst,
                DailyQuota = o.DailyQuota ?? list[i].DailyQuota,
            };
            if (list[i].RatePerSecond <= 0 || list[i].Burst <= 0 || list[i].DailyQuota <= 0)
            {
                throw new InvalidOperationException($"DataOpen:Access:Tiers:{id}: RatePerSecond, Burst and DailyQuota must all be positive.");
            }
        }

        // Recreate so PolicyHeader reflects the overrides (a `with` copy keeps the computed value).
        tiers = list.Select(t => new TierPolicy(t.Id, t.NameZh, t.NameEn, t.RatePerSecond, t.Burst, t.DailyQuota, t.RequiresKey))
            .ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        foreach (var required in new[] { Anonymous, Registered, Admin })
        {
            if (!tiers.ContainsKey(required))
            {
                throw new InvalidOperationException($"{path}: the tier '{required}' is missing.");
            }
        }
    }

    public IEnumerable<TierPolicy> All => tiers.Values.OrderBy(t => t.DailyQuota);

    public TierPolicy Get(string id) => tiers.TryGetValue(id, out var t) ? t : tiers[Registered];

    public bool Exists(string id) => tiers.ContainsKey(id);

    public async Task SyncAsync(NpgsqlDataSource writer, CancellationToken ct)
    {
        foreach (var t in tiers.Values)
        {
            await using var cmd = writer.CreateCommand(
                """
                INSERT INTO access.tiers (id, name_zh, name_en, rate_per_second, burst, daily_quota, requires_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, rate_per_second = EXCLUDED.rate_per_second,
                  burst = EXCLUDED.burst, daily_quota = EXCLUDED.daily_quota, requires_key = EXCLUDED.requires_key
                """);
            cmd.Parameters.Add(new() { Value = t.Id });
            cmd.Parameters.Add(new() { Value = t.NameZh });
            cmd.Parameters.Add(new() { Value = (object?)t.NameEn ?? DBNull.Value });
            cmd.Parameters.Add(new() { Value = t.RatePerSecond });
            cmd.Parameters.Add(new() { Value = t.Burst });
            cmd.Parameters.Add(new() { Value = t.DailyQuota });
            cmd.Parameters.Add(new() { Value = t.RequiresKey });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static List<TierPolicy> Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<TierPolicy>();
        foreach (var (i, t) in doc.RootElement.EnumerateArray().Index())
        {
            try
            {
                var name = t.GetProperty("name");
                list.Add(new TierPolicy(
                    t.GetProperty("id").GetString()!,
                    name.GetProperty("zh").GetString()!,
                    name.TryGetProperty("en", out var en) ? en.GetString() : null,
                    t.GetProperty("ratePerSecond").GetDouble(),
                    t.GetProperty("burst").GetInt32(),
                    t.GetProperty("dailyQuota").GetInt64(),
                    t.TryGetProperty("requiresKey", out var rk) && rk.GetBoolean()));
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidOperationException($"{path}: tier [{i}] is invalid: {ex.Message}", ex);
            }
        }

        return list;
    }

    private static List<TierPolicy> Defaults() =>
    [
        new(Anonymous, "匿名访问", "Anonymous", 5, 20, 10_000, false),
        new(Registered, "注册用户", "Registered", 20, 60, 100_000, true),
        new(Admin, "平台管理", "Administrator", 200, 600, 10_000_000, true),
    ];
}
