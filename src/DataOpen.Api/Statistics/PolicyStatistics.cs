using System.Security.Cryptography;
using System.Text;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Core.Ingest;
using DataOpen.Disclosure;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Statistics;

/// <summary>What one run of the statistics pipeline did.</summary>
/// <param name="InputSha256">Fingerprint of everything the tables depend on (the start-up cache key).</param>
/// <param name="Skipped">True when microdata, definitions, parameters and metadata were unchanged since the last
/// published run, so nothing was recomputed.</param>
/// <param name="AuditPassed">False when the audit refused the suppression pattern and nothing was published.</param>
/// <param name="Load">The microdata load that preceded the run.</param>
/// <param name="Published">One result per table, in definition order (Published or Unchanged).</param>
/// <param name="Problems">Why the audit failed (internal: may name true values; logged, never published).</param>
public sealed record StatisticsRunResult(
    string InputSha256,
    bool Skipped,
    bool AuditPassed,
    RestrictedLoadResult Load,
    IReadOnlyList<PublishResult> Published,
    IReadOnlyList<string> Problems);

/// <summary>
/// The product side of issue 7: loads the confidential microdata, builds the configured tables, protects them
/// (primary and complementary suppression), audits them and publishes each one as an ordinary open dataset
/// <c>policy-stats-…</c>; the audit is stored with the version in restricted.disclosure_audits.
/// </summary>
public sealed class PolicyStatistics(
    Database database,
    RestrictedLoader loader,
    DatasetPublisher publisher,
    IOptions<DisclosureSettings> settings,
    ILogger<PolicyStatistics> logger)
{
    public const string Actor = "statistics";

    /// <summary>Start-up step: runs the pipeline with the configured paths; a failure is logged and leaves the
    /// previous versions published, it never stops the service.</summary>
    public async Task RunAtStartAsync(CancellationToken ct)
    {
        var s = settings.Value;
        if (!s.PublishOnStart)
        {
            return;
        }
        var microdata = RepoPaths.Resolve(s.MicrodataPath);
        if (!Directory.Exists(microdata))
        {
            logger.LogWarning("No confidential microdata at {Dir}: policy statistics not published", microdata);
            return;
        }
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var result = await RunAsync(microdata, RepoPaths.Resolve(s.PolicyDatasetPath), RepoPaths.Resolve(s.TablesPath), ct);
            logger.LogInformation("Policy statistics: {Outcome} in {Ms} ms", result.Skipped ? "inputs unchanged, nothing to do" : result.AuditPassed
                ? $"{result.Published.Count} tables published or unchanged" : "audit failed, nothing published", started.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is DisclosureException or MetadataException or IngestException or PublishConflictException)
        {
            logger.LogError("Policy statistics were not published: {Message}", e.Message);
        }
    }

    public async Task<StatisticsRunResult> RunAsync(string microdataFolder, string policyFolder, string tablesPath, CancellationToken ct)
    {
        var s = settings.Value;
        var load = await loader.LoadAsync(microdataFolder, policyFolder, ct);
        if (!File.Exists(tablesPath))
        {
            throw new DisclosureException($"statistical table definitions '{tablesPath}' do not exist");
        }
        var input = Sha256($"{load.Sha256}|{RestrictedLoader.Fingerprint([tablesPath])}|{s.CacheKey}|{StatisticsDatasets.MetadataRevision}");
        if (await LastPassedInputAsync(ct) == input && await AllPublishedAsync(StatisticsTables.Load(tablesPath), ct))
        {
            return new StatisticsRunResult(input, true, true, load, [], []);
        }

        var definitions = StatisticsTables.Load(tablesPath);
        var sources = await loader.ReadAsync(ct);
        // Issue 18: the new release is protected together with every version still published (joint audit; the
        // attacker knows the policy's caps and integrality).
        var prior = await PublishedReleases.LoadAsync(database.Writer, ct);
        var result = s.CrossRelease
            ? StatisticsTables.Protect(definitions, sources, s.ToParameters(), prior, PolicyRules.Load(policyFolder))
            : StatisticsTables.Protect(definitions, sources, s.ToParameters());
        logger.LogInformation("Disclosure control over {Prior} published releases: {Primary} sensitive cells, {Suppressed} suppressed by {Method} (cost {Cost}, bound {Bound}, gap {Gap}); suppression {S} ms, audit {A} ms",
            prior.Count, result.PrimaryCount, result.SuppressedCount, result.Pattern.Report.Method, result.Pattern.Report.Cost, result.Pattern.Report.Bound,
            result.Pattern.Report.Gap, (long)result.SuppressionTime.TotalMilliseconds, (long)result.AuditTime.TotalMilliseconds);
        if (!result.Audit.Passed)
        {
            // The tables are protected together (shared margins), so an unproven pattern anywhere withholds them all;
            // the previous versions stay published.
            foreach (var problem in result.Audit.Problems)
            {
                logger.LogError("Disclosure audit failed, statistics not published: {Problem}", problem);
            }
            await using var conn = await database.Writer.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            for (var t = 0; t < result.System.Tables.Count; t++)
            {
                await StoreAuditAsync(conn, tx, input, StatisticsDatasets.Identifier(result.System.Tables[t].Id), null, AuditsOf(result, t),
                    result.Audit.Problems, result, t, ct);
            }
            await StoreStateAsync(conn, tx, input, false, ct);
            await tx.CommitAsync(ct);
            return new StatisticsRunResult(input, false, false, load, [], result.Audit.Problems);
        }

        var published = new List<PublishResult>();
        var folder = Directory.CreateTempSubdirectory("dataopen-stats-").FullName;
        try
        {
            var tables = result.Publish();
            for (var t = 0; t < tables.Count; t++)
            {
                var table = tables[t];
                var definition = definitions.Single(d => d.Id == table.Id);
                var file = Path.Combine(folder, table.Id + ".csv");
                await File.WriteAllTextAsync(file, StatisticsDatasets.Csv(table), new UTF8Encoding(false), ct);
                var dataset = StatisticsDatasets.Definition(definition, Path.GetFileName(file));
                var outcome = await publisher.PublishAsync(dataset, file, Actor, null, ct);
                if (outcome.Status == PublishStatus.Invalid)
                {
                    throw new DisclosureException($"statistics table {table.Id} was refused by ingest: " +
                        string.Join("; ", outcome.Report!.RejectedValues.Take(3)));
                }
                published.Add(outcome);
                await using var conn = await database.Writer.OpenConnectionAsync(ct);
                await using var tx = await conn.BeginTransactionAsync(ct);
                await StoreAuditAsync(conn, tx, input, dataset.Identifier, outcome.Version, AuditsOf(result, t), [], result, t, ct);
                if (outcome.Version is { } version)
                {
                    await PublishedReleases.StoreAsync(conn, tx, input, dataset.Identifier, version, result, t, ct);
                }
                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        await using (var conn = await database.Writer.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await StoreStateAsync(conn, tx, input, true, ct);
            await tx.CommitAsync(ct);
        }
        return new StatisticsRunResult(input, false, true, load, published, []);
    }

    /// <summary>The audits of the suppressed cells that occur in table <paramref name="table"/> (a shared margin
    /// cell belongs to every table it appears in).</summary>
    private static List<CellAudit> AuditsOf(ProtectedTables result, int table) =>
        [.. result.Audit.Cells.Where(c => result.System.Occurrences[c.Cell].Any(o => o.Table == table))];

    private static async Task StoreAuditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string input, string identifier, int? version,
        List<CellAudit> cells, IReadOnlyList<string> problems, ProtectedTables result, int table, CancellationToken ct)
    {
        var batch = new NpgsqlBatch(conn, tx);
        // One audit per version: an unchanged republication replaces the rows instead of repeating them.
        foreach (var name in new[] { "disclosure_audits", "disclosure_audit_versions" })
        {
            var clear = new NpgsqlBatchCommand($"DELETE FROM restricted.{name} WHERE dataset_identifier = $1 AND version IS NOT DISTINCT FROM $2");
            clear.Parameters.Add(new() { Value = identifier });
            clear.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            batch.BatchCommands.Add(clear);
        }
        var summary = new NpgsqlBatchCommand(
            """
            INSERT INTO restricted.disclosure_audit_versions (input_sha256, dataset_identifier, version, passed, suppressed_cells, primary_cells, problems,
              suppression_method, suppression_cost, suppression_bound, suppression_gap, table_cost)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """);
        summary.Parameters.Add(new() { Value = input });
        summary.Parameters.Add(new() { Value = identifier });
        summary.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        summary.Parameters.Add(new() { Value = problems.Count == 0 && cells.All(c => c.Satisfied) });
        summary.Parameters.Add(new() { Value = cells.Count });
        summary.Parameters.Add(new() { Value = cells.Count(c => c.Primary) });
        summary.Parameters.Add(new() { Value = problems.ToArray() });
        var report = result.Pattern.Report;
        summary.Parameters.Add(new() { Value = report.Method });
        summary.Parameters.Add(new() { Value = report.Cost });
        summary.Parameters.Add(new() { Value = (object?)report.Bound ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        summary.Parameters.Add(new() { Value = (object?)report.Gap ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        summary.Parameters.Add(new() { Value = Enumerable.Range(0, result.System.Count)
            .Where(s => result.System.Occurrences[s].Any(o => o.Table == table)).Sum(s => report.CellCost[s]) });
        batch.BatchCommands.Add(summary);
        foreach (var c in cells)
        {
            var insert = new NpgsqlBatchCommand(
                """
                INSERT INTO restricted.disclosure_audits (input_sha256, dataset_identifier, version, cell, primary_cell, value, lower_bound, upper_bound,
                  required_lower, required_upper, passed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """);
            insert.Parameters.Add(new() { Value = input });
            insert.Parameters.Add(new() { Value = identifier });
            insert.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            insert.Parameters.Add(new() { Value = c.Location });
            insert.Parameters.Add(new() { Value = c.Primary });
            insert.Parameters.Add(new() { Value = c.Value });
            // An unbounded side is stored as ±Infinity, which double precision holds.
            insert.Parameters.Add(new() { Value = c.Lower });
            insert.Parameters.Add(new() { Value = c.Upper });
            insert.Parameters.Add(new() { Value = c.RequiredLower });
            insert.Parameters.Add(new() { Value = c.RequiredUpper });
            insert.Parameters.Add(new() { Value = c.Satisfied });
            batch.BatchCommands.Add(insert);
        }
        await batch.ExecuteNonQueryAsync(ct);
        await batch.DisposeAsync();
    }

    private static async Task StoreStateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string input, bool passed, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO restricted.publication_state (id, input_sha256, passed) VALUES (true, $1, $2)
            ON CONFLICT (id) DO UPDATE SET input_sha256 = EXCLUDED.input_sha256, passed = EXCLUDED.passed, run_at = now()
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = input });
        cmd.Parameters.Add(new() { Value = passed });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<string?> LastPassedInputAsync(CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand("SELECT input_sha256 FROM restricted.publication_state WHERE passed");
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Every defined table still has a current version (an administrator may have retired one).</summary>
    private async Task<bool> AllPublishedAsync(IReadOnlyList<TableDefinition> definitions, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "SELECT count(*) FROM catalog.datasets WHERE identifier = ANY($1) AND status = 'active' AND current_version IS NOT NULL");
        cmd.Parameters.Add(new() { Value = definitions.Select(d => StatisticsDatasets.Identifier(d.Id)).ToArray() });
        return (long)(await cmd.ExecuteScalarAsync(ct))! == definitions.Count;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
