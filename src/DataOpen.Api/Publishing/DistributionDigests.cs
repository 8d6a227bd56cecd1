using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Rows;
using DataOpen.Api.Rows.Downloads;
using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>Which versions get a size and sha256 per download format.</summary>
public sealed class DistributionDigestOptions
{
    public const string Section = "DataOpen:Digests";

    /// <summary>
    /// Versions with more rows get none (writing every format of them once costs as much as downloading each); 0 turns the
    /// digests off. Their per-format distributions then state no size or checksum, as DCAT-AP allows.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxRows { get; set; } = 1_000_000;
}

/// <summary>The size in bytes and the lowercase hex sha256 of one download format of one version, exactly as the download door serves it.</summary>
public sealed record DistributionDigest(string Format, long Bytes, string Sha256);

/// <summary>
/// Sizes and sha256 of every download format (<see cref="CatalogSearch.DistributionFormats"/>) of each served current
/// version: computed once after publishing by running the whole-version download (the download door's query for no
/// parameters, the same writers) into a hash, stored in <c>catalog.distribution_digests</c> and kept in memory (a version
/// never changes). A download with a filter, select or a grant limited to some fields is other bytes and has none.
/// Several instances may race on a new version: the first insert wins; equal bytes give equal digests.
/// </summary>
public sealed class DistributionDigests(Database database, CatalogStore catalog, QueryRunner runner,
    IOptions<DataOpenOptions> options, IOptions<DistributionDigestOptions> digestOptions, ILogger<DistributionDigests> logger)
{
    /// <summary>Complete sets only (every format of the version), by table name.</summary>
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, DistributionDigest>> known = new(StringComparer.Ordinal);

    /// <summary>The digests known for these versions' tables (a version without them is absent), from memory or one query.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, DistributionDigest>>> ForAsync(IEnumerable<DatasetEntry> datasets, CancellationToken ct)
    {
        // A version over the row limit never gets digests: asking the database for them on every request would find none.
        var max = digestOptions.Value.MaxRows;
        var wanted = datasets.Where(d => max > 0 && d.Current is not null && d.Current.RowCount <= max).ToDictionary(d => d.Current!.TableName, d => d, StringComparer.Ordinal);
        var result = new Dictionary<string, IReadOnlyDictionary<string, DistributionDigest>>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var table in wanted.Keys)
        {
            if (known.TryGetValue(table, out var digests))
            {
                result[table] = digests;
            }
            else
            {
                missing.Add(table);
            }
        }

        if (missing.Count == 0)
        {
            return result;
        }

        var rows = await database.ReadAsync(async (conn, token) =>
        {
            var list = new List<(string Table, DistributionDigest Digest)>();
            await using var cmd = new NpgsqlCommand("SELECT table_name, format, byte_size, sha256 FROM catalog.distribution_digests WHERE table_name = ANY($1)", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = missing.ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(token);
            while (await r.ReadAsync(token))
            {
                list.Add((r.GetString(0), new DistributionDigest(r.GetString(1), r.GetInt64(2), r.GetString(3))));
            }

            return list;
        }, ct);
        foreach (var group in rows.GroupBy(r => r.Table, StringComparer.Ordinal))
        {
            var digests = group.ToDictionary(g => g.Digest.Format, g => g.Digest, StringComparer.Ordinal);
            if (CatalogSearch.DistributionFormats(wanted[group.Key]).All(digests.ContainsKey))
            {
                known[group.Key] = digests;
                result[group.Key] = digests;
            }
        }

        return result;
    }

    /// <summary>Computes the digests of every served current version that lacks some; returns how many versions it completed.</summary>
    public async Task<int> ComputeMissingAsync(CancellationToken ct)
    {
        var max = digestOptions.Value.MaxRows;
        var candidates = catalog.Current.Served.Where(d => d.Current!.RowCount <= max && max > 0).ToList();
        var have = await ForAsync(candidates, ct);
        var done = 0;
        foreach (var d in candidates.Where(d => !have.ContainsKey(d.Current!.TableName)))
        {
            try
            {
                var digests = new Dictionary<string, DistributionDigest>(StringComparer.Ordinal);
                foreach (var format in CatalogSearch.DistributionFormats(d))
                {
                    digests[format] = await ComputeAsync(d, d.Current!, format, ct);
                }

                await StoreAsync(d, d.Current!, digests.Values, ct);
                known[d.Current!.TableName] = digests;
                done++;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable)
            {
                // The version was replaced and its table dropped meanwhile: its successor is done on the next change.
                logger.LogDebug("Version {Table} went away while its digests were computed", d.Current!.TableName);
            }
            catch (QueryTimeoutException)
            {
                // Longer than a download may take (DataOpen:DownloadTimeoutSeconds): tried again at the next pass.
                logger.LogWarning("Writing the downloads of {Table} took longer than the download timeout; its digests are tried again later", d.Current!.TableName);
            }
        }

        return done;
    }

    /// <summary>Writes the whole version in one format, as <c>GET …/download?format=F&amp;version=N</c> does, into a hash.</summary>
    public async Task<DistributionDigest> ComputeAsync(DatasetEntry dataset, VersionInfo version, string format, CancellationToken ct)
    {
        var query = RestQueryParser.Parse(version.Shape, [], new RestQueryOptions { Limits = DownloadFormats.Limits });
        var compiled = DownloadFormats.Compiler.Compile(query);
        await using var hash = new HashingStream();
        await DownloadFormats.WriteAsync(format, compiled.Columns, runner.StreamAsync(compiled, options.Value.DownloadTimeoutSeconds, ct), hash, dataset.Metadata.Geo, ct);
        return new DistributionDigest(format, hash.Length, hash.HexDigest());
    }

    private async Task StoreAsync(DatasetEntry dataset, VersionInfo version, IEnumerable<DistributionDigest> digests, CancellationToken ct)
    {
        await using var batch = database.Writer.CreateBatch();
        foreach (var digest in digests)
        {
            var cmd = new NpgsqlBatchCommand(
                "INSERT INTO catalog.distribution_digests (table_name, format, dataset_id, version, byte_size, sha256) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (table_name, format) DO NOTHING");
            cmd.Parameters.Add(new NpgsqlParameter { Value = version.TableName });
            cmd.Parameters.Add(new NpgsqlParameter { Value = digest.Format });
            cmd.Parameters.Add(new NpgsqlParameter { Value = dataset.Id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = version.Version });
            cmd.Parameters.Add(new NpgsqlParameter { Value = digest.Bytes });
            cmd.Parameters.Add(new NpgsqlParameter { Value = digest.Sha256 });
            batch.BatchCommands.Add(cmd);
        }

        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A write-only stream that keeps only the length and the sha256 of what is written to it.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position { get => length; set => throw new NotSupportedException(); }

        public string HexDigest() => Convert.ToHexStringLower(sha.GetHashAndReset());

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            sha.AppendData(buffer);
            length += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                sha.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Computes the digests of new versions as soon as the catalog shows them (on every instance; the first insert wins), and at start-up.</summary>
public sealed class DistributionDigesting(DistributionDigests digests, CatalogStore catalog, Database database, ILogger<DistributionDigesting> logger)
    : CatalogChangeWorker(catalog, database, logger)
{
    protected override string Work => "Computed the download sizes and sha256 of";

    protected override Task<int> PassAsync(CancellationToken ct) => digests.ComputeMissingAsync(ct);
}
