using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using DataOpen.Core.Search;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace DataOpen.Api.Publishing;

public enum PublishStatus
{
    /// <summary>A new version was published and made current.</summary>
    Published,

    /// <summary>The source is identical (same sha256) to the current version: nothing was created.</summary>
    Unchanged,

    /// <summary>Values were rejected: nothing was published; see the report.</summary>
    Invalid,
}

public sealed record PublishResult(PublishStatus Status, string Identifier, int? Version, long Rows, string Sha256, ValidationReport? Report);

/// <summary>Progress of a publish, for the CLI's progress display.</summary>
public sealed record PublishProgress(string Stage, long Rows);

/// <summary>The metadata refers to records that do not exist, or breaks a catalog rule.</summary>
public sealed class MetadataException(IReadOnlyList<MetadataViolation> violations)
    : Exception("The dataset metadata is invalid: " + string.Join("; ", violations.Select(v => $"{v.Path}: {v.Message}")))
{
    public IReadOnlyList<MetadataViolation> Violations { get; } = violations;
}

/// <summary>Another publish of the same dataset is in progress.</summary>
public sealed class PublishConflictException(string identifier)
    : Exception($"Another publish of dataset '{identifier}' is in progress; try again when it has finished.")
{
    public string Identifier { get; } = identifier;
}

/// <summary>
/// Registers dataset metadata and publishes versions. A publish is one transaction: it takes a
/// per-dataset advisory lock (a concurrent publish of the same dataset fails at once with a
/// conflict), creates the version's table, loads it with binary COPY, registers the version and
/// its fields and makes it current. PostgreSQL DDL is transactional, so a publish that fails, is
/// cancelled or whose process is killed leaves neither a catalog change nor a table behind.
/// </summary>
public sealed class DatasetPublisher(Database database, CatalogStore catalog, IOptions<DataOpenOptions> options, IEnumerable<IIndexPlanContributor> indexContributors)
{
    public IngestOptions IngestOptions => new() { MaxFieldBytes = options.Value.MaxFieldBytes };

    /// <summary>Registers or updates a dataset's metadata without publishing data.</summary>
    public async Task<long> RegisterAsync(DatasetDefinition definition, string actor, CancellationToken ct)
    {
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockAsync(conn, tx, definition.Identifier, ct);
        var (id, _) = await UpsertMetadataAsync(conn, tx, definition, ct);
        await BumpAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        await catalog.ReloadAsync(ct);
        return id;
    }

    /// <summary>Publishes <paramref name="sourcePath"/> as the next version of the dataset (registering its metadata too).</summary>
    public async Task<PublishResult> PublishAsync(DatasetDefinition definition, string sourcePath, string actor, IProgress<PublishProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new("fingerprint", 0));
        var before = new FileInfo(sourcePath);
        var (length, written) = (before.Length, before.LastWriteTimeUtc);
        // Hashing runs beside the load on the other core; it is awaited first only when the size
        // matches the current version's, the one case where the file may be identical.
        var fingerprintTask = Task.Run(() => SourceFingerprint.Compute(sourcePath), ct);
        try
        {
            return await PublishCoreAsync(definition, sourcePath, actor, progress, length, written, fingerprintTask, ct);
        }
        finally
        {
            // Never leave the hashing task unobserved when the publish fails early.
            await fingerprintTask.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task<PublishResult> PublishCoreAsync(DatasetDefinition definition, string sourcePath, string actor, IProgress<PublishProgress>? progress,
        long length, DateTime written, Task<SourceFingerprint> fingerprintTask, CancellationToken ct)
    {
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockAsync(conn, tx, definition.Identifier, ct);
        var (id, currentVersion) = await UpsertMetadataAsync(conn, tx, definition, ct);

        string? currentSha = null;
        long? currentSize = null;
        int lastVersion = 0;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT (SELECT sha256 FROM catalog.versions WHERE dataset_id = $1 AND version = $2),
                   (SELECT byte_size FROM catalog.versions WHERE dataset_id = $1 AND version = $2),
                   coalesce((SELECT max(version) FROM catalog.versions WHERE dataset_id = $1), 0)
            """, conn, tx))
        {
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = (object?)currentVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            currentSha = r.IsDBNull(0) ? null : r.GetString(0);
            currentSize = r.IsDBNull(1) ? null : r.GetInt64(1);
            lastVersion = r.GetInt32(2);
        }

        if (currentSize == length && (await fingerprintTask).Sha256 == currentSha)
        {
            // Identical source: only metadata may have changed.
            await BumpAsync(conn, tx, ct);
            await tx.CommitAsync(ct);
            await catalog.ReloadAsync(ct);
            return new(PublishStatus.Unchanged, definition.Identifier, currentVersion, 0, currentSha!, null);
        }

        var version = lastVersion + 1;
        var table = $"ds{id}_v{version}";
        var qualified = $"data.{Sql.QuoteIdentifier(table)}";

        progress?.Report(new("load", 0));
        var load = await IngestPipeline.LoadAsync(conn, qualified, definition, sourcePath, IngestOptions, progress, ct);
        var fingerprint = await fingerprintTask;
        if (!load.Report.IsValid)
        {
            await tx.RollbackAsync(ct);
            return new(PublishStatus.Invalid, definition.Identifier, null, load.Report.TotalRows, fingerprint.Sha256, load.Report);
        }

        // The version records the sha256 taken before loading: refuse if the file changed since.
        var after = new FileInfo(sourcePath);
        if (after.Length != length || after.LastWriteTimeUtc != written)
        {
            throw new IngestException(IngestProblem.SourceChanged, $"The source file {Path.GetFileName(sourcePath)} changed while it was being published; nothing was published. Publish it again.");
        }

        progress?.Report(new("index", load.Rows));
        await using (var cmd = new NpgsqlCommand($"SET LOCAL maintenance_work_mem = '256MB'; ALTER TABLE {qualified} ADD PRIMARY KEY (\"{TableShape.RowIdColumn}\"); ANALYZE {qualified}", conn, tx))
        {
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }

        // The declared primaryKey: nulls or duplicates throw (the transaction rolls back); else its unique index.
        await PrimaryKeys.EnforceAsync(conn, tx, table, definition, load.Fields, ct);

        // The index plan (VersionIndexPlanner) and the other contributors' indexes (kept adaptive indexes carried forward) are built before the version exists.
        var planContext = new IndexPlanContext(conn, tx, id, definition.Identifier, version, table, load.Fields, load.Rows, definition);
        var planned = await IndexPlan.BuildAsync(indexContributors, planContext, ct);

        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO catalog.versions (dataset_id, version, table_name, row_count, byte_size, sha256, source_format, source_encoding, published_by, primary_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, conn, tx))
        {
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = version });
            cmd.Parameters.Add(new() { Value = table });
            cmd.Parameters.Add(new() { Value = load.Rows });
            cmd.Parameters.Add(new() { Value = fingerprint.Bytes });
            cmd.Parameters.Add(new() { Value = fingerprint.Sha256 });
            cmd.Parameters.Add(new() { Value = load.Format });
            cmd.Parameters.Add(new() { Value = (object?)load.Encoding ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = actor });
            cmd.Parameters.Add(new() { Value = definition.PrimaryKey is { Count: > 0 } pk ? pk.ToArray() : (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync(ct);
        }

        // Once the version row exists, still before current_version moves to it.
        await IndexPlan.ReportAsync(planned, planContext, ct);
        await VersionIndexes.RecordAsync(planContext, planned.SelectMany(p => p.Built).ToList(), ct);

        var batch = new NpgsqlBatch(conn, tx);
        foreach (var f in load.Fields)
        {
            var c = new NpgsqlBatchCommand(
                "INSERT INTO catalog.fields (dataset_id, version, ordinal, name, type, title_zh, title_en, description, unit, value_domain, sensitivity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
            c.Parameters.Add(new() { Value = id });
            c.Parameters.Add(new() { Value = version });
            c.Parameters.Add(new() { Value = f.Ordinal });
            c.Parameters.Add(new() { Value = f.Name });
            c.Parameters.Add(new() { Value = f.Type.ToName() });
            foreach (var s in new[] { f.TitleZh, f.TitleEn, f.Description, f.Unit, f.ValueDomain })
            {
                c.Parameters.Add(new() { Value = (object?)s ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            }

            c.Parameters.Add(new() { Value = f.Sensitivity });
            batch.BatchCommands.Add(c);
        }

        var update = new NpgsqlBatchCommand("UPDATE catalog.datasets SET current_version = $2, modified = now(), search_doc = " + SearchDocSql + " WHERE id = $1");
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = version });
        AddSearchParameters(update, definition, load.Fields);
        batch.BatchCommands.Add(update);
        await batch.ExecuteNonQueryAsync(ct);
        await batch.DisposeAsync();

        await BumpAsync(conn, tx, ct);
        progress?.Report(new("commit", load.Rows));
        await tx.CommitAsync(ct);
        await catalog.ReloadAsync(ct);
        return new(PublishStatus.Published, definition.Identifier, version, load.Rows, fingerprint.Sha256, load.Report);
    }

    /// <summary>Retires a dataset: no longer listed or served as current, versions kept.</summary>
    public async Task<bool> RetireAsync(string identifier, string actor, CancellationToken ct)
    {
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockAsync(conn, tx, identifier, ct);
        await using var cmd = new NpgsqlCommand("UPDATE catalog.datasets SET status = 'retired', retired_at = now(), modified = now() WHERE identifier = $1 AND status <> 'retired'", conn, tx)
        {
            Parameters = { new() { Value = identifier } },
        };
        var n = await cmd.ExecuteNonQueryAsync(ct);
        if (n > 0)
        {
            await BumpAsync(conn, tx, ct);
        }

        await tx.CommitAsync(ct);
        await catalog.ReloadAsync(ct);
        return n > 0;
    }

    private const string SearchDocSql =
        "setweight(to_tsvector('simple', $3), 'A') || setweight(to_tsvector('simple', $4), 'B') || setweight(to_tsvector('simple', $5), 'C') || setweight(to_tsvector('simple', $6), 'D')";

    private static void AddSearchParameters(NpgsqlBatchCommand cmd, DatasetDefinition d, IReadOnlyList<FieldInfo>? fields)
    {
        cmd.Parameters.Add(new() { Value = SearchText.ForDocument(d.Title.Zh, d.Title.En, d.Identifier.Replace('-', ' ')) });
        cmd.Parameters.Add(new() { Value = SearchText.ForDocument([.. d.Keywords.Zh, .. d.Keywords.En ?? []]) });
        cmd.Parameters.Add(new() { Value = SearchText.ForDocument(d.Description.Zh, d.Description.En) });
        var labels = (fields ?? []).SelectMany(f => new[] { f.Name.Replace('_', ' '), f.TitleZh, f.TitleEn })
            .Concat((d.Fields ?? []).SelectMany(f => new[] { f.Title?.Zh, f.Title?.En }));
        cmd.Parameters.Add(new() { Value = SearchText.ForDocument([.. labels]) });
    }

    /// <summary>Takes the dataset's publish lock for this transaction, or fails at once with a conflict.</summary>
    private static async Task LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string identifier, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(20240601, hashtext($1))", conn, tx) { Parameters = { new() { Value = identifier } } };
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!)
        {
            throw new PublishConflictException(identifier);
        }
    }

    private static async Task BumpAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"UPDATE catalog.state SET catalog_version = catalog_version + 1; NOTIFY {CatalogStore.NotifyChannel}", conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Checks references (publisher, licence, themes) and inserts or updates the dataset row. Returns its id and current version.</summary>
    private static async Task<(long Id, int? CurrentVersion)> UpsertMetadataAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DatasetDefinition d, CancellationToken ct)
    {
        await CheckReferencesAsync(conn, tx, d, ct);
        long id;
        int? current;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO catalog.datasets (identifier, title_zh, title_en, description_zh, description_en, publisher_id, license_id, open_class,
                                          update_frequency, security_grade, issued, keywords_zh, keywords_en, metadata, search_doc)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb,
                    setweight(to_tsvector('simple', $15), 'A') || setweight(to_tsvector('simple', $16), 'B') || setweight(to_tsvector('simple', $17), 'C') || setweight(to_tsvector('simple', $18), 'D'))
            ON CONFLICT (identifier) DO UPDATE SET
                title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en, description_zh = EXCLUDED.description_zh,
                description_en = EXCLUDED.description_en, publisher_id = EXCLUDED.publisher_id, license_id = EXCLUDED.license_id,
                open_class = EXCLUDED.open_class, update_frequency = EXCLUDED.update_frequency, security_grade = EXCLUDED.security_grade,
                issued = EXCLUDED.issued, keywords_zh = EXCLUDED.keywords_zh, keywords_en = EXCLUDED.keywords_en, metadata = EXCLUDED.metadata,
                search_doc = EXCLUDED.search_doc, status = 'active', retired_at = NULL,
                modified = CASE WHEN catalog.datasets.metadata = EXCLUDED.metadata AND catalog.datasets.status = 'active' THEN catalog.datasets.modified ELSE now() END
            RETURNING id, current_version
            """, conn, tx))
        {
            object? N(string? s) => (object?)s ?? DBNull.Value;
            cmd.Parameters.Add(new() { Value = d.Identifier });
            cmd.Parameters.Add(new() { Value = d.Title.Zh });
            cmd.Parameters.Add(new() { Value = N(d.Title.En), NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = d.Description.Zh });
            cmd.Parameters.Add(new() { Value = N(d.Description.En), NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = d.Publisher });
            cmd.Parameters.Add(new() { Value = d.License });
            cmd.Parameters.Add(new() { Value = d.OpenClass });
            cmd.Parameters.Add(new() { Value = d.UpdateFrequency });
            cmd.Parameters.Add(new() { Value = d.SecurityGrade });
            cmd.Parameters.Add(new() { Value = DateOnly.ParseExact(d.Issued, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
            cmd.Parameters.Add(new() { Value = d.Keywords.Zh.ToArray() });
            cmd.Parameters.Add(new() { Value = (d.Keywords.En ?? []).ToArray() });
            cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(d, DatasetDefinition.JsonOptions) });
            var tmp = new NpgsqlBatchCommand();
            AddSearchParameters(tmp, d, null);
            foreach (NpgsqlParameter p in tmp.Parameters)
            {
                cmd.Parameters.Add(new() { Value = p.Value });
            }

            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            id = r.GetInt64(0);
            current = r.IsDBNull(1) ? null : r.GetInt32(1);
        }

        await using (var del = new NpgsqlCommand("DELETE FROM catalog.dataset_themes WHERE dataset_id = $1", conn, tx) { Parameters = { new() { Value = id } } })
        {
            await del.ExecuteNonQueryAsync(ct);
        }

        foreach (var (scheme, codes) in d.Themes)
        {
            foreach (var code in codes)
            {
                await using var ins = new NpgsqlCommand("INSERT INTO catalog.dataset_themes (dataset_id, scheme_id, code) VALUES ($1, $2, $3)", conn, tx)
                {
                    Parameters = { new() { Value = id }, new() { Value = scheme }, new() { Value = code } },
                };
                await ins.ExecuteNonQueryAsync(ct);
            }
        }

        await using (var stats = new NpgsqlCommand("INSERT INTO catalog.dataset_stats (dataset_id) VALUES ($1) ON CONFLICT DO NOTHING", conn, tx) { Parameters = { new() { Value = id } } })
        {
            await stats.ExecuteNonQueryAsync(ct);
        }

        return (id, current);
    }

    private static async Task CheckReferencesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DatasetDefinition d, CancellationToken ct)
    {
        var violations = new List<MetadataViolation>();
        async Task<bool> ExistsAsync(string sql, params object[] values)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            foreach (var v in values)
            {
                cmd.Parameters.Add(new() { Value = v });
            }

            return await cmd.ExecuteScalarAsync(ct) is not null;
        }

        if (!await ExistsAsync("SELECT 1 FROM catalog.publishers WHERE id = $1", d.Publisher))
        {
            violations.Add(new("$.publisher", $"unknown publisher '{d.Publisher}' (see seeds/publishers.json)"));
        }

        if (!await ExistsAsync("SELECT 1 FROM catalog.licenses WHERE id = $1", d.License))
        {
            violations.Add(new("$.license", $"unknown licence '{d.License}' (see seeds/licenses.json)"));
        }

        foreach (var (scheme, codes) in d.Themes)
        {
            foreach (var code in codes)
            {
                if (!await ExistsAsync("SELECT 1 FROM catalog.themes WHERE scheme_id = $1 AND code = $2", scheme, code))
                {
                    violations.Add(new($"$.themes.{scheme}", $"unknown theme '{code}' in scheme '{scheme}' (see seeds/themes.json)"));
                }
            }
        }

        if (violations.Count > 0)
        {
            throw new MetadataException(violations);
        }
    }
}
