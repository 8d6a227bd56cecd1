using System.Security.Cryptography;

namespace DataOpen.Core.Ingest;

/// <summary>The identity of a source file: SHA-256 (lower-case hex) and size in bytes, computed streaming.</summary>
public sealed record SourceFingerprint(string Sha256, long Bytes)
{
    public static SourceFingerprint Compute(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Compute(stream);
    }

    public static SourceFingerprint Compute(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[128 * 1024];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return new SourceFingerprint(Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    public static async Task<SourceFingerprint> ComputeAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[128 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return new SourceFingerprint(Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }
}
