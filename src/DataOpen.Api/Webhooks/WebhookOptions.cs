using System.Net;
using System.Net.Sockets;

namespace DataOpen.Api.Webhooks;

/// <summary>Webhook deliveries (<c>DataOpen:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "DataOpen:Webhooks";

    /// <summary>Run the dispatcher in this instance (every instance may: they share the queue safely).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Only https URLs may be subscribed (turn off for tests and closed networks only).</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>Allow receivers on loopback addresses (127.0.0.0/8, ::1): for tests on one machine.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow receivers on private, link-local and other non-public addresses (an internal deployment).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Seconds a receiver has to answer one delivery.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Attempts per delivery before it is given up as failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the first retry; each further retry waits twice as long.</summary>
    public double InitialRetrySeconds { get; set; } = 30;

    /// <summary>Longest wait between two attempts.</summary>
    public double MaxRetrySeconds { get; set; } = 3600;

    /// <summary>Failed attempts in a row (over all its deliveries) after which a subscription is disabled.</summary>
    public int DisableAfterFailures { get; set; } = 20;

    /// <summary>How often the dispatcher looks for due deliveries when no notification woke it.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>Subscriptions one key may hold.</summary>
    public int MaxSubscriptionsPerKey { get; set; } = 50;
}

/// <summary>
/// Where deliveries may go (server-side request forgery): an absolute http(s) URL without user information,
/// https unless <see cref="WebhookOptions.RequireHttps"/> is off, whose host resolves only to public addresses.
/// Checked when subscribing and again on every connection (the address actually connected to), so a name that
/// later resolves to an internal address (DNS rebinding) is refused too; redirects are not followed.
/// </summary>
public sealed class WebhookUrlPolicy(WebhookOptions options)
{
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("64:ff9b::/96"), IPNetwork.Parse("100::/64"), IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    /// <summary>Null when the URL may be subscribed, else why not.</summary>
    public string? Check(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "url must be an absolute URL of at most 2000 characters";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && (options.RequireHttps || uri.Scheme != Uri.UriSchemeHttp))
        {
            return options.RequireHttps ? "url must use https" : "url must use http or https";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "url must not contain user information";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "url must not contain a fragment";
        }

        return null;
    }

    /// <summary>Null when a connection to this address is allowed, else why not.</summary>
    public string? CheckAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return options.AllowLoopback ? null : $"{address} is a loopback address";
        }

        if (!options.AllowPrivateNetworks && (NonPublic.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address)) || address.Equals(IPAddress.Broadcast)))
        {
            return $"{address} is not a public address";
        }

        return null;
    }

    /// <summary>Resolves a host (or takes an address literal) and checks every address; the allowed addresses or the refusal.</summary>
    public async Task<(IPAddress[] Addresses, string? Refusal)> ResolveAsync(string host, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, ct);
            }
            catch (SocketException ex)
            {
                return ([], $"{host} does not resolve ({ex.SocketErrorCode})");
            }
        }

        var refused = addresses.Select(CheckAddress).FirstOrDefault(r => r is not null);
        return refused is not null || addresses.Length == 0 ? ([], refused ?? $"{host} has no address") : (addresses, null);
    }

    /// <summary>The HTTP handler deliveries use: connects only to checked addresses, never follows a redirect.</summary>
    public SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, ct) =>
        {
            var (addresses, refusal) = await ResolveAsync(context.DnsEndPoint.Host, ct);
            if (refusal is not null)
            {
                throw new HttpRequestException("refused: " + refusal);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
