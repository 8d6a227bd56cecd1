using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Quality;

/// <summary>
/// Computes each published version's quality report once, right after the version is published (a version never changes), and
/// stores it in <c>catalog.version_quality</c>; reads reports back for the pages, REST, GraphQL and the stewards' view.
/// Several instances may race to score a new version: the first insert wins, the others' equal reports are dropped.
/// </summary>
public sealed class QualityService(Database database, CatalogStore catalog, ILogger<QualityService> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<QualityReport> ComputeAsync(DatasetEntry dataset, VersionInfo version, CancellationToken ct)
    {
        var checks = MetadataChecks.Run(dataset, version, catalog.Current, DateTimeOffset.UtcNow).ToList();
        checks.AddRange(await DataChecks.RunAsync(database, version.Shape, ct));
        return new QualityReport(dataset.Identifier, version.Version, QualityReport.Weighted(checks), checks, DateTimeOffset.UtcNow);
    }

    /// <summary>Scores every current version that has no report yet; returns how many it scored.</summary>
    public async Task<int> ScoreMissingAsync(CancellationToken ct)
    {
        var snapshot = catalog.Current;
        var have = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = database.Writer.CreateCommand("SELECT table_name FROM catalog.version_quality"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                have.Add(r.GetString(0));
            }
        }

        var scored = 0;
        foreach (var d in snapshot.Datasets.Where(d => d.Current is not null && !have.Contains(d.Current.TableName)))
        {
            try
            {
                await StoreAsync(d, d.Current!, await ComputeAsync(d, d.Current!, ct), ct);
                scored++;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable)
            {
                // The version was replaced and its table dropped while we scored it: its successor is scored on the next change.
                logger.LogDebug("Version {Table} went away while scored", d.Current!.TableName);
            }
        }

        return scored;
    }

    public async Task<QualityReport?> FindAsync(DatasetEntry dataset, int version, CancellationToken ct)
    {
        return await database.ReadAsync(async (conn, token) =>
        {
            await using var cmd = new NpgsqlCommand("SELECT report::text FROM catalog.version_quality WHERE dataset_id = $1 AND version = $2", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = dataset.Id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = version });
            return await cmd.ExecuteScalarAsync(token) is string json ? JsonSerializer.Deserialize<QualityReport>(json, Json) : null;
        }, ct);
    }

    /// <summary>Scores of the current versions by dataset identifier.</summary>
    public async Task<Dictionary<string, double>> CurrentScoresAsync(CancellationToken ct)
    {
        return await database.ReadAsync(async (conn, token) =>
        {
            var scores = new Dictionary<string, double>(StringComparer.Ordinal);
            await using var cmd = new NpgsqlCommand(
                "SELECT d.identifier, q.score FROM catalog.datasets d JOIN catalog.version_quality q ON q.dataset_id = d.id AND q.version = d.current_version", conn);
            await using var r = await cmd.ExecuteReaderAsync(token);
            while (await r.ReadAsync(token))
            {
                scores[r.GetString(0)] = (double)r.GetDecimal(1);
            }

            return scores;
        }, ct);
    }

    private async Task StoreAsync(DatasetEntry dataset, VersionInfo version, QualityReport report, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "INSERT INTO catalog.version_quality (table_name, dataset_id, version, score, report) VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (table_name) DO NOTHING");
        cmd.Parameters.Add(new NpgsqlParameter { Value = version.TableName });
        cmd.Parameters.Add(new NpgsqlParameter { Value = dataset.Id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = version.Version });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (decimal)report.Score });
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report, Json) });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Scores new versions as soon as the catalog shows them (on every instance; the first insert wins), and at start-up.</summary>
public sealed class QualityScoring(QualityService quality, CatalogStore catalog, Database database, ILogger<QualityScoring> logger)
    : CatalogChangeWorker(catalog, database, logger)
{
    protected override string Work => "Scored the quality of";

    protected override Task<int> PassAsync(CancellationToken ct) => quality.ScoreMissingAsync(ct);
}
