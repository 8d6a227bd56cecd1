using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// Read replicas (<c>DataOpen:Replicas</c>): PostgreSQL streaming standbys that serve public reads while
/// publishing, access writes and the catalog snapshot stay on the primary (<c>ConnectionStrings:DataOpen</c>).
/// </summary>
public sealed class ReplicaOptions
{
    public const string Section = "DataOpen:Replicas";

    /// <summary>
    /// Standbys as <c>host:port</c>, comma-separated. The reader connection becomes these hosts followed by the
    /// primary, with <c>Target Session Attributes=prefer-standby</c> and <c>Load Balance Hosts=true</c>. Empty: the
    /// reader connection string is used as given (it may list several hosts itself).
    /// </summary>
    public string? Hosts { get; set; }

    /// <summary>
    /// How long a read waits, at most, for a standby to replay the catalog version the instance already
    /// serves (a version just published on the primary) before it reads from the primary instead.
    /// </summary>
    [Range(0, 60_000)]
    public int MaxReplayWaitMilliseconds { get; set; } = 500;

    /// <summary>How often each reader host is probed (up or down, standby or primary, replayed position).</summary>
    [Range(50, 60_000)]
    public int ProbeIntervalMilliseconds { get; set; } = 200;
}
