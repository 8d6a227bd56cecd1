using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Npgsql;

namespace DataOpen.Api.Publishing;

public sealed record LoadOutcome(ValidationReport Report, long Rows, IReadOnlyList<FieldInfo> Fields, string Format, string? Encoding);

/// <summary>Joins the ingest library's passes for the publisher: plan + infer, create the table, convert + COPY.</summary>
public static class IngestPipeline
{
    /// <summary>
    /// Creates <paramref name="qualifiedTable"/> on <paramref name="connection"/> (inside the caller's
    /// transaction) and loads the source into it. An invalid report means the COPY was not completed.
    /// </summary>
    public static async Task<LoadOutcome> LoadAsync(NpgsqlConnection connection, string qualifiedTable, DatasetDefinition definition, string sourcePath,
        IngestOptions options, IProgress<PublishProgress>? progress, CancellationToken ct)
    {
        // The inference pass is synchronous parsing: keep it off the caller's thread.
        var plan = await Task.Run(() => StagingLoader.Plan(sourcePath, definition, options, ct), ct);
        await using (var create = new NpgsqlCommand(plan.CreateTableSql(qualifiedTable), connection))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        progress?.Report(new PublishProgress("copy", 0));
        using var rows = RowSource.Open(sourcePath, definition.Source, options);
        var report = new ValidationReport(plan, options);
        var result = await StagingLoader.LoadAsync(connection, qualifiedTable, plan, rows, report, options, ct);
        return new LoadOutcome(result.Report, (long)result.RowsWritten, plan.ToFieldInfos(), rows.Format, rows.Encoding);
    }

    public static ValidationReport Validate(DatasetDefinition definition, string sourcePath, IngestOptions options) =>
        StagingLoader.Validate(sourcePath, definition, options).Report;
}
