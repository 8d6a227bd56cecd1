using System.Security.Cryptography;
using System.Text;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

/// <summary>
/// The key format: <c>dok_</c> + 8-character public id + <c>_</c> + 32-character secret, both base62.
/// The prefix makes leaked keys recognisable to secret scanners; the public id finds the stored row
/// without a hash index; the secret carries 32 × log2(62) ≈ 190 bits of randomness.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "dok_";
    public const int PublicIdLength = 8;
    public const int SecretLength = 32;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string NewPublicId() => RandomNumberGenerator.GetString(Alphabet, PublicIdLength);

    public static string NewKey(string publicId) => $"{Prefix}{publicId}_{RandomNumberGenerator.GetString(Alphabet, SecretLength)}";

    /// <summary>Splits a presented key; false when it is not in the format (never a valid key).</summary>
    public static bool TryParse(string presented, out string publicId)
    {
        publicId = "";
        if (presented.Length != Prefix.Length + PublicIdLength + 1 + SecretLength
            || !presented.StartsWith(Prefix, StringComparison.Ordinal)
            || presented[Prefix.Length + PublicIdLength] != '_')
        {
            return false;
        }

        foreach (var (i, c) in presented.Index())
        {
            if (i >= Prefix.Length && i != Prefix.Length + PublicIdLength && !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        publicId = presented.Substring(Prefix.Length, PublicIdLength);
        return true;
    }

    /// <summary>The query parameter a key may be sent in; every strict REST endpoint accepts it.</summary>
    public const string QueryParameter = "api_key";

    /// <summary>CKAN's own header for a key (ckanapi sends it beside <c>Authorization</c>).</summary>
    public const string CkanHeader = "X-CKAN-API-Key";

    /// <summary>
    /// The key as presented by a request: X-Api-Key, then X-CKAN-API-Key, then Authorization: Bearer, then a bare
    /// Authorization value (CKAN style: the raw key, no scheme), then the api_key query parameter (for clients such
    /// as Excel that cannot set headers). An Authorization value with another scheme (Basic …) is not a key.
    /// </summary>
    public static string? Presented(HttpRequest request)
    {
        foreach (var name in (string[])["X-Api-Key", CkanHeader])
        {
            if (request.Headers.TryGetValue(name, out var header) && !string.IsNullOrWhiteSpace(header))
            {
                return header.ToString().Trim();
            }
        }

        var auth = request.Headers.Authorization.ToString().Trim();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && auth.Length > 7)
        {
            return auth[7..].Trim();
        }

        if (auth.Length > 0 && !auth.Contains(' ', StringComparison.Ordinal))
        {
            return auth;
        }

        return request.Query.TryGetValue(QueryParameter, out var q) && !string.IsNullOrWhiteSpace(q) ? q.ToString().Trim() : null;
    }
}

/// <summary>HMAC-SHA256 of keys with the server secret: a stolen table of hashes is useless without the secret.</summary>
public sealed class KeyHasher
{
    private readonly byte[] secret;

    public KeyHasher(IOptions<AccessOptions> access, IOptions<DataOpenOptions> options, ILogger<KeyHasher> logger)
    {
        secret = LoadSecret(access.Value, options.Value, logger);
    }

    public byte[] Hash(string key) => HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(key));

    public bool Matches(string key, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Where a generated secret is kept: <c>{DataDirectory}.key-secret</c>, beside the embedded cluster's folder.</summary>
    public static string SecretPath(DataOpenOptions options) => Path.TrimEndingDirectorySeparator(RepoPaths.Resolve(options.DataDirectory)) + ".key-secret";

    private static byte[] LoadSecret(AccessOptions access, DataOpenOptions options, ILogger logger)
    {
        if (!string.IsNullOrEmpty(access.KeySecret))
        {
            if (access.KeySecret.Length < 32)
            {
                throw new InvalidOperationException("DataOpen:Access:KeySecret must be at least 32 characters (e.g. `openssl rand -base64 48`).");
            }

            return Encoding.UTF8.GetBytes(access.KeySecret);
        }

        if (options.EphemeralDatabase)
        {
            // A throwaway database (tests): its keys die with it, so does the secret.
            return RandomNumberGenerator.GetBytes(48);
        }

        // Neither in the database nor inside the cluster folder (which base backups copy): a copy of the
        // database alone must not allow checking guessed keys. Beside the cluster: .data.key-secret.
        var path = SecretPath(options);
        var dir = Path.GetDirectoryName(path)!;
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(dir);
        var bytes = RandomNumberGenerator.GetBytes(48);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var w = new StreamWriter(path, Encoding.ASCII, fileOptions);
            w.Write(Convert.ToBase64String(bytes));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        logger.LogWarning("No DataOpen:Access:KeySecret configured: generated one into {Path}. Instances sharing a database must share the secret: configure it.", path);
        return bytes;
    }
}
