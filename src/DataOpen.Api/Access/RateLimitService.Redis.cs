using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using StackExchange.Redis;

namespace DataOpen.Api.Access;

public sealed partial class RateLimitService
{
    /// <summary>
    /// Redis with short timeouts and a breaker: any failure switches to local limits until a probe succeeds.
    /// Charges are coalesced: callers queue them and one pump sends everything queued as ONE script call
    /// (token bucket and daily quota per charge, evaluated atomically and in order inside Redis), then
    /// the next batch while that one was in flight. Under load that is one round trip and one script run
    /// per batch instead of two per request; each decision stays exact and shared by all instances.
    /// </summary>
    private sealed class RedisLimitStore : IDisposable
    {
        /// <summary>Most charges sent in one script call: bounds the time Redis spends in one script.</summary>
        private const int MaxBatch = 256;

        /// <summary>
        /// Script calls in flight at once on the one connection. Redis runs them in the order sent, so
        /// decisions stay exact; a second call lets charges go out while the first is answered.
        /// </summary>
        private const int MaxInFlight = 2;

        /// <summary>Most permits one charge takes beyond its own, as a local lease for the next requests.</summary>
        private const int MaxLease = 64;

        /// <summary>Unused leased permits go back to Redis after this long.</summary>
        private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(1);

        // KEYS: bucket, quota per charge. ARGV per charge: rate per second, burst, permits, daily quota, most
        // extra permits to lease. A bucket is a hash {tokens, at (µs, Redis clock)} refilled lazily.
        // An allowed charge takes its permits plus a lease of up to an eighth of what is left (bucket and
        // quota alike, at most the lease cap): far from the limits one call serves many requests, near them
        // the lease is 0 and every request is decided here, so no instance can hold what another needs.
        // A refused charge takes nothing. Negative permits give back an unused lease.
        // Out per charge: outcome (0 allowed, 1 bucket empty, 2 daily quota spent), permits granted,
        // tokens left, quota used.
        private const string ChargeScript = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local out = {}
            for i = 1, #KEYS, 2 do
              local a = (i - 1) / 2 * 5
              local rate, burst = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
              local permits, quota, lease = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
              local b = redis.call('HMGET', KEYS[i], 'tokens', 'at')
              local tokens = tonumber(b[1]) or burst
              local at = tonumber(b[2]) or now
              if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000000) end
              local used = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
              local outcome, granted = 0, 0
              if permits < 0 then
                tokens = math.min(burst, tokens - permits)
                if used > 0 then used = redis.call('DECRBY', KEYS[i + 1], math.min(used, -permits)) end
                granted = permits
              elseif tokens < permits then
                outcome = 1
              elseif used + permits > quota then
                outcome = 2
              else
                local extra = math.floor((math.min(tokens, quota - used) - permits) / 8)
                granted = permits + math.max(0, math.min(lease, extra))
                tokens = tokens - granted
                used = redis.call('INCRBY', KEYS[i + 1], granted)
                if used == granted then redis.call('EXPIRE', KEYS[i + 1], 172800) end
              end
              redis.call('HSET', KEYS[i], 'tokens', string.format('%.6f', tokens), 'at', string.format('%d', now))
              redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate * 1000) + 1000)
              out[#out + 1] = outcome
              out[#out + 1] = granted
              out[#out + 1] = math.floor(tokens)
              out[#out + 1] = used
            end
            return out
            """;

        private readonly ConnectionMultiplexer mux;
        private readonly TimeSpan timeout;
        private readonly TimeSpan probeEvery;
        private readonly ILogger logger;
        private readonly Counter<long> fallbacks;
        private readonly Histogram<int> batchSizes;
        private readonly Channel<Charge> pending = Channel.CreateUnbounded<Charge>(new UnboundedChannelOptions { SingleReader = true });
        private readonly CancellationTokenSource stopping = new();
        private readonly ConcurrentDictionary<string, Lease> leases = new(StringComparer.Ordinal);
        private readonly Timer leaseSweeper;
        private readonly Task pump;
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
            batchSizes = meter.CreateHistogram<int>("dataopen.ratelimit.redis_batch", description: "Charges sent to Redis in one script call.");
            meter.CreateObservableGauge("dataopen.ratelimit.shared", () => IsAvailable ? 1 : 0, description: "1 while limits are shared through Redis, 0 while local.");
            if (!mux.IsConnected)
            {
                Trip("not reachable at start");
            }

            pump = Task.Run(PumpAsync);
            leaseSweeper = new Timer(_ => ReturnLeases(expiredOnly: true), null, LeaseTime, LeaseTime);
        }

        public bool IsAvailable => Volatile.Read(ref tripped) == 0;

        public DateTimeOffset? TrippedAt { get; private set; }

        /// <summary>The shared decision, or null when Redis failed (the breaker has tripped: charge locally).</summary>
        public async ValueTask<SharedCharge?> TryChargeAsync(TierPolicy tier, string partition, int permits, DateOnly day, CancellationToken ct)
        {
            if (!mux.IsConnected)
            {
                Trip("disconnected");
                return null;
            }

            var bucketKey = $"dataopen:{{rl}}:bucket:{tier.Id}:{partition}";
            var quotaKey = $"dataopen:{{rl}}:quota:{tier.Id}:{partition}:{day:yyyyMMdd}";
            if (leases.TryGetValue(quotaKey, out var lease))
            {
                lock (lease)
                {
                    if (lease.Left >= permits && lease.Expires > DateTime.UtcNow)
                    {
                        // Permits this instance already took from Redis for this caller: no round trip.
                        lease.Left -= permits;
                        return new SharedCharge(0, lease.BucketRemaining + lease.Left, lease.DailyUsed - lease.Left);
                    }
                }
            }

            var charge = new Charge(bucketKey, quotaKey, tier, permits, MaxLease);
            if (!pending.Writer.TryWrite(charge))
            {
                return null; // disposing
            }

            // No timer per request: the pump answers every charge within its call's timeout (null on failure),
            // so a charge waits at most for the call in flight and its own.
            if (await charge.Done.Task.WaitAsync(ct) is not { } result)
            {
                return null;
            }

            var extra = result.Outcome == 0 ? result.Granted - permits : 0;
            if (extra <= 0)
            {
                return result;
            }

            var fresh = new Lease(bucketKey, quotaKey, tier) { Left = extra, BucketRemaining = result.BucketRemaining, DailyUsed = result.DailyUsed, Expires = DateTime.UtcNow + LeaseTime };
            Lease? replaced = null;
            leases.AddOrUpdate(quotaKey, fresh, (_, held) =>
            {
                replaced = held;
                return fresh;
            });
            if (replaced is not null)
            {
                GiveBack(replaced); // a lease taken meanwhile by a concurrent request of the same caller
            }

            return result with { BucketRemaining = result.BucketRemaining + extra, DailyUsed = result.DailyUsed - extra };
        }

        /// <summary>Gives unused leased permits back to Redis (those past their time, or all when Redis is left).</summary>
        private void ReturnLeases(bool expiredOnly)
        {
            var now = DateTime.UtcNow;
            foreach (var (key, lease) in leases)
            {
                if ((!expiredOnly || lease.Expires <= now) && leases.TryRemove(new KeyValuePair<string, Lease>(key, lease)))
                {
                    GiveBack(lease);
                }
            }
        }

        /// <summary>Returns what is left of a lease no longer in the table; requests still holding it find it empty.</summary>
        private void GiveBack(Lease lease)
        {
            int left;
            lock (lease)
            {
                left = lease.Left;
                lease.Left = 0;
            }

            if (left > 0 && IsAvailable)
            {
                pending.Writer.TryWrite(new Charge(lease.BucketKey, lease.QuotaKey, lease.Tier, -left, 0));
            }
        }

        private async Task PumpAsync()
        {
            var reader = pending.Reader;
            using var inFlight = new SemaphoreSlim(MaxInFlight);
            try
            {
                while (await reader.WaitToReadAsync(stopping.Token))
                {
                    // Wait for a free slot first: charges arriving meanwhile join this batch.
                    await inFlight.WaitAsync(stopping.Token);
                    var batch = new List<Charge>();
                    while (batch.Count < MaxBatch && reader.TryRead(out var c))
                    {
                        batch.Add(c);
                    }

                    _ = SendAsync(batch).ContinueWith(static (_, s) => ((SemaphoreSlim)s!).Release(), inFlight, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Shutting down: whatever is still queued is charged locally.
            }

            while (reader.TryRead(out var c))
            {
                c.Done.TrySetResult(null);
            }
        }

        private async Task SendAsync(List<Charge> batch)
        {
            batchSizes.Record(batch.Count);
            var keys = new RedisKey[batch.Count * 2];
            var args = new RedisValue[batch.Count * 5];
            for (var i = 0; i < batch.Count; i++)
            {
                var c = batch[i];
                keys[2 * i] = c.BucketKey;
                keys[(2 * i) + 1] = c.QuotaKey;
                args[5 * i] = c.Tier.RatePerSecond;
                args[(5 * i) + 1] = c.Tier.Burst;
                args[(5 * i) + 2] = c.Permits;
                args[(5 * i) + 3] = c.Tier.DailyQuota;
                args[(5 * i) + 4] = c.MaxLease;
            }

            try
            {
                var result = (RedisResult[])(await mux.GetDatabase().ScriptEvaluateAsync(ChargeScript, keys, args).WaitAsync(timeout))!;
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(new SharedCharge((int)result[4 * i], (long)result[(4 * i) + 2], (long)result[(4 * i) + 3]) { Granted = (int)result[(4 * i) + 1] });
                }
            }
            catch (Exception ex) // any failure of the call (Redis error, timeout, unexpected reply) means: charge locally
            {
                Trip(ex.GetType().Name + ": " + ex.Message);
                foreach (var c in batch)
                {
                    c.Done.TrySetResult(null);
                }
            }
        }

        private void Trip(string reason)
        {
            if (Interlocked.Exchange(ref tripped, 1) == 1)
            {
                return;
            }

            TrippedAt = DateTimeOffset.UtcNow;
            leases.Clear(); // local limits from now on; whatever was leased is Redis's again when it returns (it refills)
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

            leaseSweeper.Dispose();
            ReturnLeases(expiredOnly: false);
            pending.Writer.TryComplete();
            stopping.Cancel();
            pump.Wait(TimeSpan.FromSeconds(2));
            mux.Dispose();
            stopping.Dispose();
        }

        private sealed class Charge(string bucketKey, string quotaKey, TierPolicy tier, int permits, int maxLease)
        {
            public int MaxLease { get; } = maxLease;

            public string BucketKey { get; } = bucketKey;

            public string QuotaKey { get; } = quotaKey;

            public TierPolicy Tier { get; } = tier;

            public int Permits { get; } = permits;

            public TaskCompletionSource<SharedCharge?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        /// <summary>Permits of one caller taken from Redis ahead of its requests (guarded by its own lock).</summary>
        private sealed class Lease(string bucketKey, string quotaKey, TierPolicy tier)
        {
            public string BucketKey { get; } = bucketKey;

            public string QuotaKey { get; } = quotaKey;

            public TierPolicy Tier { get; } = tier;

            public int Left { get; set; }

            /// <summary>Tokens left in the shared bucket when the lease was taken, not counting the lease.</summary>
            public long BucketRemaining { get; set; }

            /// <summary>Quota used in Redis when the lease was taken, counting the whole lease.</summary>
            public long DailyUsed { get; set; }

            public DateTime Expires { get; set; }
        }
    }

    /// <summary>
    /// One charge decided in Redis: outcome 0 allowed, 1 bucket empty, 2 daily quota spent; tokens left and
    /// quota used after it, as this caller sees them (its unused lease counted as left, not as used).
    /// </summary>
    private readonly record struct SharedCharge(int Outcome, long BucketRemaining, long DailyUsed)
    {
        /// <summary>Permits Redis granted: the charge's own plus the lease taken for the next requests.</summary>
        public int Granted { get; init; }
    }
}
