using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Api.Catalog;

/// <summary>
/// Holds the current <see cref="CatalogSnapshot"/> and swaps it atomically when the catalog changes:
/// at once after a change made by this instance, and on PostgreSQL NOTIFY <c>catalog_changed</c>
/// for changes made by another instance. Doors that build models from the catalog (OData EDM,
/// GraphQL schema) subscribe to <see cref="Changed"/> and rebuild off the request path.
/// </summary>
public sealed class CatalogStore(Database database, ILogger<CatalogStore> logger) : IDisposable
{
    public const string NotifyChannel = "catalog_changed";

    private readonly SemaphoreSlim reloadLock = new(1, 1);
    private volatile CatalogSnapshot current = CatalogSnapshot.Empty;

    public event Action<CatalogSnapshot>? Changed;

    public CatalogSnapshot Current => current;

    public void Dispose() => reloadLock.Dispose();

    public async Task<CatalogSnapshot> ReloadAsync(CancellationToken ct)
    {
        await reloadLock.WaitAsync(ct);
        try
        {
            var snapshot = await LoadAsync(database.Writer, ct);
            if (snapshot.CatalogVersion == current.CatalogVersion && current.CatalogVersion != 0)
            {
                return current;
            }

            if (database.Replicas is { } replicas)
            {
                // Read after the snapshot: a standby that has replayed this far has every table the snapshot names.
                // Set before the swap, so no request sees the new snapshot without the position that goes with it.
                await using var position = database.Writer.CreateCommand("SELECT pg_current_wal_insert_lsn()");
                replicas.Require((NpgsqlTypes.NpgsqlLogSequenceNumber)(await position.ExecuteScalarAsync(ct))!);
            }

            current = snapshot;
            logger.LogInformation("Catalog version {Version}: {Count} datasets", snapshot.CatalogVersion, snapshot.Datasets.Count);
            try
            {
                Changed?.Invoke(snapshot);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A catalog subscriber failed to rebuild for version {Version}", snapshot.CatalogVersion);
            }

            return snapshot;
        }
        finally
        {
            reloadLock.Release();
        }
    }

    /// <summary>
    /// Reloads the snapshot when the primary's catalog is ahead of it: for a request naming a dataset or version this
    /// instance has not heard of yet (published through another instance a moment ago, its notification on its way).
    /// </summary>
    public async Task<CatalogSnapshot> CatchUpAsync(CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand("SELECT catalog_version FROM catalog.state");
        return await cmd.ExecuteScalarAsync(ct) is long latest && latest > current.CatalogVersion ? await ReloadAsync(ct) : current;
    }

    /// <summary>
    /// Swaps in the public counters (views, downloads, API calls) written by the usage counter's last
    /// flush, keeping the catalog version: nothing that models the catalog needs to rebuild for them.
    /// </summary>
    public async Task RefreshCountersAsync(CancellationToken ct)
    {
        var counters = new Dictionary<long, DatasetCounters>();
        await using (var cmd = database.Writer.CreateCommand(
            """
            SELECT d.id, coalesce(s.views, 0), coalesce(s.downloads, 0), coalesce(s.api_calls, 0), coalesce(u.reuses, 0)
            FROM catalog.datasets d LEFT JOIN catalog.dataset_stats s ON s.dataset_id = d.id LEFT JOIN catalog.dataset_reuses u ON u.dataset_identifier = d.identifier
            """))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                counters[r.GetInt64(0)] = new DatasetCounters(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
            }
        }

        await reloadLock.WaitAsync(ct);
        try
        {
            var cur = current;
            var datasets = cur.Datasets.Select(d => counters.TryGetValue(d.Id, out var c) && c != d.Counters ? d with { Counters = c } : d).ToList();
            current = new CatalogSnapshot(cur.CatalogVersion, datasets, cur.Publishers, cur.ThemeSchemes, cur.Themes, cur.Licenses);
        }
        finally
        {
            reloadLock.Release();
        }
    }

    internal static async Task<CatalogSnapshot> LoadAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        await using var conn = await source.OpenConnectionAsync(ct);
        // One repeatable-read transaction so every part of the snapshot is from the same moment.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);

        long catalogVersion;
        await using (var cmd = new NpgsqlCommand("SELECT catalog_version FROM catalog.state", conn, tx))
        {
            catalogVersion = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }

        var publishers = await ReadAllAsync(conn, tx, "SELECT id, name_zh, name_en, description_zh, description_en, email, phone, website FROM catalog.publishers ORDER BY id",
            r => new PublisherInfo(r.GetString(0), r.GetString(1), Str(r, 2), Str(r, 3), Str(r, 4), Str(r, 5), Str(r, 6), Str(r, 7)), ct);
        var schemes = await ReadAllAsync(conn, tx, "SELECT id, name_zh, name_en FROM catalog.theme_schemes ORDER BY id",
            r => new ThemeSchemeInfo(r.GetString(0), r.GetString(1), Str(r, 2)), ct);
        var themes = await ReadAllAsync(conn, tx, "SELECT scheme_id, code, label_zh, label_en, parent_code FROM catalog.themes ORDER BY scheme_id, code",
            r => new ThemeInfo(r.GetString(0), r.GetString(1), r.GetString(2), Str(r, 3), Str(r, 4)), ct);
        var licenses = await ReadAllAsync(conn, tx, "SELECT id, title_zh, title_en, url FROM catalog.licenses ORDER BY id",
            r => new LicenseInfo(r.GetString(0), r.GetString(1), Str(r, 2), Str(r, 3)), ct);

        var fields = (await ReadAllAsync(conn, tx,
            "SELECT dataset_id, version, ordinal, name, type, title_zh, title_en, description, unit, value_domain, sensitivity FROM catalog.fields",
            r => (DatasetId: r.GetInt64(0), Version: r.GetInt32(1), Field: new FieldInfo(
                r.GetString(3), FieldTypes.TryParse(r.GetString(4), out var t) ? t : FieldType.Text, r.GetInt32(2),
                Str(r, 5), Str(r, 6), Str(r, 7), Str(r, 8), Str(r, 9), r.GetString(10))), ct))
            .ToLookup(x => (x.DatasetId, x.Version), x => x.Field);

        var versions = (await ReadAllAsync(conn, tx,
            "SELECT dataset_id, version, table_name, row_count, byte_size, sha256, source_format, source_encoding, published_at, published_by, primary_key FROM catalog.versions ORDER BY dataset_id, version",
            r => (DatasetId: r.GetInt64(0), Version: new VersionInfo(
                r.GetInt32(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetString(5), r.GetString(6), Str(r, 7),
                r.GetFieldValue<DateTimeOffset>(8), r.GetString(9),
                new TableShape("data", r.GetString(2), fields[(r.GetInt64(0), r.GetInt32(1))]),
                r.IsDBNull(10) ? null : r.GetFieldValue<string[]>(10))), ct))
            .ToLookup(x => x.DatasetId, x => x.Version);

        var datasets = await ReadAllAsync(conn, tx,
            """
            SELECT d.id, d.identifier, d.metadata::text, d.status, d.modified, d.retired_at, d.current_version,
                   coalesce(s.views, 0), coalesce(s.downloads, 0), coalesce(s.api_calls, 0), coalesce(u.reuses, 0), d.created_at
            FROM catalog.datasets d LEFT JOIN catalog.dataset_stats s ON s.dataset_id = d.id
            LEFT JOIN catalog.dataset_reuses u ON u.dataset_identifier = d.identifier
            ORDER BY d.identifier
            """,
            r =>
            {
                var id = r.GetInt64(0);
                var vs = versions[id].ToList();
                int? currentVersion = r.IsDBNull(6) ? null : r.GetInt32(6);
                return new DatasetEntry(
                    id,
                    r.GetString(1),
                    JsonSerializer.Deserialize<DatasetDefinition>(r.GetString(2), DatasetDefinition.JsonOptions)!,
                    r.GetString(3),
                    r.GetFieldValue<DateTimeOffset>(4),
                    r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
                    vs,
                    currentVersion is int cv ? vs.FirstOrDefault(v => v.Version == cv) : null,
                    new DatasetCounters(r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)),
                    r.GetFieldValue<DateTimeOffset>(11));
            }, ct);

        await tx.CommitAsync(ct);
        return new CatalogSnapshot(catalogVersion, datasets, publishers, schemes, themes, licenses);
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct))
        {
            list.Add(map(r));
        }

        return list;
    }
}

/// <summary>Listens for catalog changes made by other instances and reloads the snapshot.</summary>
public sealed class CatalogChangeListener(Database database, CatalogStore store, ILogger<CatalogChangeListener> logger)
    : PostgresListener(database, CatalogStore.NotifyChannel, logger)
{
    protected override void OnNotification(string payload) => _ = store.ReloadAsync(CancellationToken.None);

    protected override async Task OnListeningAsync(CancellationToken ct) => await store.ReloadAsync(ct);
}
