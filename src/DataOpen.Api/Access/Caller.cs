using System.Net;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

public static class Roles
{
    public const string Holder = "holder";
    public const string Steward = "steward";
    public const string Admin = "admin";

    public static bool IsValid(string role) => role is Holder or Steward or Admin;
}

/// <summary>Who is calling: anonymous (by client IP) or a key with its role, tier and, for stewards, publisher.</summary>
public sealed record Caller(long? KeyId, string? PublicId, string Role, string? PublisherId, string Tier, string Partition, string? Name, DateTimeOffset? ExpiresAt)
{
    public bool IsAnonymous => KeyId is null && Role != Roles.Admin;

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>A name for audit records: the key's public id, "config-admin" for DataOpen:AdminKey, or "anonymous".</summary>
    public string Actor => PublicId ?? (IsAdmin ? "config-admin" : "anonymous");

    /// <summary>Admins steward every publisher; a steward only their own.</summary>
    public bool Stewards(string publisherId) => IsAdmin || (Role == Roles.Steward && PublisherId == publisherId);

    public static Caller Anonymous(string clientIp) => new(null, null, "anonymous", null, TierCatalog.Anonymous, "ip:" + clientIp, null, null);

    /// <summary>DataOpen:AdminKey: a plaintext admin key from configuration, for development and tests.</summary>
    public static Caller ConfigAdmin { get; } = new(null, null, Roles.Admin, null, TierCatalog.Admin, "config-admin", "DataOpen:AdminKey", null);
}

public static class CallerExtensions
{
    /// <summary>The caller resolved by the access middleware; anonymous when it did not run (e.g. /health).</summary>
    public static Caller GetCaller(this HttpContext http) =>
        http.Features.Get<Caller>() ?? Caller.Anonymous(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

/// <summary>
/// A secret of this process that marks its own calls to its API (a page forwarding a form over loopback):
/// only such a call may name the visitor's address in X-Forwarded-For without a configured trusted proxy.
/// </summary>
public sealed class SelfCallToken
{
    public const string Header = "X-DataOpen-Self";

    public string Value { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public bool Matches(string? presented) =>
        presented is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(presented), System.Text.Encoding.ASCII.GetBytes(Value));
}

/// <summary>
/// The client IP of anonymous callers: the connection's address, or X-Forwarded-For when the connection comes
/// from a trusted proxy, or from this process itself over loopback with its <see cref="SelfCallToken"/>.
/// </summary>
public sealed class ClientIp
{
    private readonly List<IPNetwork> trusted = [];
    private readonly SelfCallToken? self;

    public ClientIp(IOptions<AccessOptions> options, SelfCallToken? self = null)
    {
        this.self = self;
        foreach (var entry in options.Value.TrustedProxies)
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                trusted.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                trusted.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new InvalidOperationException($"DataOpen:Access:TrustedProxies: '{entry}' is neither an IP address nor a CIDR range.");
            }
        }
    }

    public string Resolve(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "unknown";
        }

        remote = Plain(remote);
        if (self is not null && IPAddress.IsLoopback(remote) && self.Matches(http.Request.Headers[SelfCallToken.Header].ToString())
            && IPAddress.TryParse(http.Request.Headers["X-Forwarded-For"].ToString().Split(',').Last().Trim(), out var visitor))
        {
            // A page of this service forwarding a visitor's form: the visitor's address, as the page resolved it.
            return Plain(visitor).ToString();
        }

        if (!IsTrusted(remote))
        {
            return remote.ToString();
        }

        // Walk X-Forwarded-For from the right: the first address not of a trusted proxy is the client.
        var hops = http.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var parsed))
            {
                break;
            }

            var hop = Plain(parsed);

            if (!IsTrusted(hop) || i == 0)
            {
                return hop.ToString();
            }
        }

        return remote.ToString();
    }

    private bool IsTrusted(IPAddress address) => trusted.Exists(n => n.Contains(address));

    /// <summary>An IPv4 address written as IPv6 (::ffff:a.b.c.d) as the IPv4 address it is.</summary>
    private static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
