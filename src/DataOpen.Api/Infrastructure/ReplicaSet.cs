using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace DataOpen.Api.Infrastructure;

/// <summary>What the probe last saw of one reader host.</summary>
public sealed record ReplicaHostState(string Host, int Port, bool Up, bool IsStandby, NpgsqlLogSequenceNumber? Replayed, DateTimeOffset SeenAt, string? Error);

/// <summary>
/// The reader hosts of a multi-host reader connection (streaming standbys, usually with the primary last) and
/// the catalog position reads must see. Npgsql's multi-host data source picks a host per connection
/// (<c>prefer-standby</c>, round robin) and marks a host offline when a connection to it breaks; this class adds
/// what Npgsql cannot know:
/// <list type="bullet">
/// <item>which position a standby must have replayed before it may answer: the primary's WAL position when the
/// instance loaded its catalog snapshot (<see cref="Require"/>), so a version the instance already serves is
/// never missing on the standby that reads it. A lagging standby is waited for up to
/// <see cref="ReplicaOptions.MaxReplayWaitMilliseconds"/>, then the read goes to the primary;</item>
/// <item>a probe of every host every <see cref="ReplicaOptions.ProbeIntervalMilliseconds"/>: a standby that stops
/// is dropped from the pool at once (its idle connections are dead), and one that comes back is tried again at
/// once (Npgsql would otherwise wait for its host recheck).</item>
/// </list>
/// </summary>
public sealed class ReplicaSet(NpgsqlMultiHostDataSource reader, string probeConnectionString, ReplicaOptions options) : IAsyncDisposable
{
    private readonly Dictionary<string, Probe> probes = Hosts(probeConnectionString)
        .ToDictionary(h => Key(h.Host, h.Port), h => new Probe(h.Host, h.Port, probeConnectionString), StringComparer.OrdinalIgnoreCase);

    private ulong required;
    private long standbyReads;
    private long primaryFallbacks;
    private long replayWaits;

    public ReplicaOptions Options => options;

    /// <summary>The position every read must see (0: none yet).</summary>
    public NpgsqlLogSequenceNumber Required => new(Volatile.Read(ref required));

    /// <summary>Reads served by a standby, reads sent to the primary because the standby lagged too long, and reads that waited for replay.</summary>
    public (long StandbyReads, long PrimaryFallbacks, long ReplayWaits) Counters =>
        (Interlocked.Read(ref standbyReads), Interlocked.Read(ref primaryFallbacks), Interlocked.Read(ref replayWaits));

    public IReadOnlyList<ReplicaHostState> States => probes.Values.Select(p => p.State).ToList();

    /// <summary>Raises the position reads must see (never lowers it).</summary>
    public void Require(NpgsqlLogSequenceNumber lsn)
    {
        var value = (ulong)lsn;
        for (var seen = Volatile.Read(ref required); value > seen; seen = Volatile.Read(ref required))
        {
            if (Interlocked.CompareExchange(ref required, value, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>True when <paramref name="conn"/> is on a hot standby (PostgreSQL ≥ 14 reports <c>in_hot_standby</c> at connect).</summary>
    public static bool IsStandby(NpgsqlConnection conn) =>
        conn.PostgresParameters.TryGetValue("in_hot_standby", out var value) && value == "on";

    /// <summary>
    /// True when the standby behind <paramref name="conn"/> has replayed <see cref="Required"/>, waiting up to the
    /// bound for it; false when the read should go to the primary instead.
    /// </summary>
    public async Task<bool> CaughtUpAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var needed = Required;
        var probe = probes.GetValueOrDefault(Key(conn.Host ?? "", conn.Port));
        if ((ulong)needed == 0 || probe?.State.Replayed is { } seen && seen >= needed)
        {
            Interlocked.Increment(ref standbyReads);
            return true;
        }

        Interlocked.Increment(ref replayWaits);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var cmd = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn()", conn))
            {
                if (await cmd.ExecuteScalarAsync(ct) is NpgsqlLogSequenceNumber replayed)
                {
                    probe?.Saw(replayed);
                    if (replayed >= needed)
                    {
                        Interlocked.Increment(ref standbyReads);
                        return true;
                    }
                }
            }

            if (clock.ElapsedMilliseconds >= options.MaxReplayWaitMilliseconds)
            {
                Interlocked.Increment(ref primaryFallbacks);
                return false;
            }

            await Task.Delay(Math.Min(10, Math.Max(1, options.MaxReplayWaitMilliseconds - (int)clock.ElapsedMilliseconds)), ct);
        }
    }

    /// <summary>One round of probes (all hosts at once); drops the pools of a host that went down and retries one that came back.</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        var changes = await Task.WhenAll(probes.Values.Select(p => p.RunAsync(ct)));
        if (changes.Contains(Change.WentDown))
        {
            // Its idle connections died with it: drop them now rather than fail a request on each.
            reader.Clear();
        }

        if (changes.Contains(Change.CameBack))
        {
            // Npgsql keeps a failed host offline for its host recheck time: make it try the host again now.
            reader.ClearDatabaseStates();
        }
    }

    /// <summary>One line for /health/ready: each host, up or down, and how far behind the required position.</summary>
    public string Describe()
    {
        var (standby, fallbacks, waits) = Counters;
        return string.Join("; ", probes.Values.Select(p => p.State).Select(s =>
            $"{s.Host}:{s.Port.ToString(CultureInfo.InvariantCulture)} " + (!s.Up ? "down: " + s.Error
                : !s.IsStandby ? "primary"
                : s.Replayed is { } r && r >= Required ? "standby, caught up"
                : $"standby, replayed {s.Replayed}, needs {Required}")))
            + string.Create(CultureInfo.InvariantCulture, $"; reads: {standby} on standbys, {waits} waited for replay, {fallbacks} sent to the primary after waiting");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var probe in probes.Values)
        {
            await probe.DisposeAsync();
        }
    }

    internal static IEnumerable<(string Host, int Port)> Hosts(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        foreach (var entry in (builder.Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon > 0 && !entry.EndsWith(']') && int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                yield return (entry[..colon], port);
            }
            else
            {
                yield return (entry, builder.Port);
            }
        }
    }

    private static string Key(string host, int port) => host + ":" + port.ToString(CultureInfo.InvariantCulture);

    private enum Change
    {
        None,
        WentDown,
        CameBack,
    }

    /// <summary>One host's probe: a connection of its own outside the pools, kept open between rounds.</summary>
    private sealed class Probe(string host, int port, string connectionString) : IAsyncDisposable
    {
        private readonly string cs = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Host = host,
            Port = port,
            Pooling = false,
            Multiplexing = false,
            Timeout = 1,
            CommandTimeout = 1,
            TargetSessionAttributes = null,
            LoadBalanceHosts = false,
        }.ConnectionString;

        private NpgsqlConnection? conn;
        private volatile ReplicaHostState state = new(host, port, true, false, null, DateTimeOffset.MinValue, null);

        public ReplicaHostState State => state;

        public void Saw(NpgsqlLogSequenceNumber replayed)
        {
            var s = state;
            if (s.Replayed is not { } before || replayed > before)
            {
                state = s with { Replayed = replayed };
            }
        }

        public async Task<Change> RunAsync(CancellationToken ct)
        {
            var wasUp = state.Up;
            try
            {
                if (conn is null)
                {
                    var fresh = new NpgsqlConnection(cs);
                    await fresh.OpenAsync(ct);
                    conn = fresh;
                }

                await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()", conn);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                await r.ReadAsync(ct);
                var standby = r.GetBoolean(0);
                var replayed = r.IsDBNull(1) ? (NpgsqlLogSequenceNumber?)null : r.GetFieldValue<NpgsqlLogSequenceNumber>(1);
                state = new ReplicaHostState(host, port, true, standby, replayed, DateTimeOffset.UtcNow, null);
                return wasUp ? Change.None : Change.CameBack;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                if (conn is not null)
                {
                    await conn.DisposeAsync();
                    conn = null;
                }

                state = state with { Up = false, SeenAt = DateTimeOffset.UtcNow, Error = ex.GetBaseException().Message };
                return wasUp ? Change.WentDown : Change.None;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (conn is not null)
            {
                await conn.DisposeAsync();
            }
        }
    }
}

/// <summary>Runs <see cref="ReplicaSet.ProbeAsync"/> every probe interval while the service runs (nothing without replicas).</summary>
public sealed class ReplicaMonitor(Database database, ILogger<ReplicaMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!database.IsOpen)
        {
            await Task.Delay(100, stoppingToken);
        }

        if (database.Replicas is not { } replicas)
        {
            return;
        }

        var wasDown = new HashSet<string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(replicas.Options.ProbeIntervalMilliseconds));
        do
        {
            try
            {
                await replicas.ProbeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            foreach (var s in replicas.States)
            {
                var key = $"{s.Host}:{s.Port}";
                if (!s.Up && wasDown.Add(key))
                {
                    logger.LogWarning("Reader host {Host}:{Port} is down ({Error}); reads go to the other hosts", s.Host, s.Port, s.Error);
                }
                else if (s.Up && wasDown.Remove(key))
                {
                    logger.LogInformation("Reader host {Host}:{Port} is back; it takes reads again", s.Host, s.Port);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
