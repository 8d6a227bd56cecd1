using System.Globalization;
using System.Text.RegularExpressions;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// Which process listens on a TCP port, read from /proc (Linux): the socket's inode in /proc/net/tcp{,6},
/// then the process with a descriptor on that socket. Used for the one line a start on a taken port prints.
/// </summary>
public static partial class PortOwner
{
    /// <summary>"address http://127.0.0.1:5080 is taken by process 1234 (dotnet DataOpen.Api.dll)" from Kestrel's bind failure, or null when it is another failure.</summary>
    public static string? DescribeBindFailure(Exception ex)
    {
        if (ex is not IOException || ex.InnerException is not Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            return null;
        }

        var match = BindAddress().Match(ex.Message);
        var address = match.Success ? match.Groups[1].Value : "the address";
        var port = match.Success && Uri.TryCreate(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : (int?)null;
        var holder = port is int p && FindListener(p) is int pid ? $"process {pid}{EmbeddedPostgres.ProcessDescription(pid)}" : "another process";
        return $"{address} is taken by {holder}; stop it or choose another address (--urls or ASPNETCORE_URLS).";
    }

    /// <summary>
    /// The first of <paramref name="urls"/> (the host's <c>urls</c> setting; Kestrel's default when empty) whose
    /// port another process already listens on, described in one line; null when all are free. Checked before
    /// anything starts, so a second instance on a taken port leaves at once and touches nothing.
    /// </summary>
    public static string? TakenAddress(string? urls)
    {
        foreach (var url in (string.IsNullOrWhiteSpace(urls) ? "http://localhost:5000" : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normal = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normal, UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                continue;
            }

            var ip = uri.IsLoopback && !System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _) ? System.Net.IPAddress.Loopback
                : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed : null;
            if (ip is null)
            {
                continue; // a host name: Kestrel resolves it, and reports a conflict itself
            }

            try
            {
                var probe = new System.Net.Sockets.TcpListener(ip, uri.Port);
                probe.Start();
                probe.Stop();
            }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                var holder = FindListener(uri.Port) is int pid ? $"process {pid}{EmbeddedPostgres.ProcessDescription(pid)}" : "another process";
                return $"{url} is taken by {holder}; stop it or choose another address (--urls or ASPNETCORE_URLS).";
            }
        }

        return null;
    }

    /// <summary>The id of a process listening on <paramref name="port"/>, or null when not found (or not Linux).</summary>
    public static int? FindListener(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ... inode: local is HEXIP:HEXPORT, state 0A is LISTEN.
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length > 9 && parts[3] == "0A" && int.TryParse(parts[1][(parts[1].IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var local) && local == port)
                {
                    inodes.Add($"socket:[{parts[9]}]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFiles(Path.Combine(dir, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or gone meanwhile.
            }
        }

        return null;
    }

    [GeneratedRegex(@"address (\S+?):? address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindAddress();
}
