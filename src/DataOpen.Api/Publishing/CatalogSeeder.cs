using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Publishing;

/// <summary>
/// Publishes each dataset folder under datasets/ (dataset.json + its data file) whose source differs
/// from its current version, so a fresh start serves the whole sample catalog and a restart does
/// nothing but refresh metadata. Datasets retired by an administrator stay retired.
/// </summary>
public sealed class CatalogSeeder(DatasetPublisher publisher, CatalogStore catalog, IOptions<DataOpenOptions> options, ILogger<CatalogSeeder> logger)
{
    public async Task PublishChangedAsync(CancellationToken ct)
    {
        var root = RepoPaths.Resolve(options.Value.DatasetsPath);
        if (!Directory.Exists(root))
        {
            logger.LogWarning("No datasets folder at {Dir}: nothing to publish", root);
            return;
        }

        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var metadataPath = Path.Combine(folder, "dataset.json");
            if (!File.Exists(metadataPath))
            {
                continue;
            }

            var read = MetadataValidator.ReadFile(metadataPath);
            if (!read.IsValid)
            {
                logger.LogError("Skipping {Folder}: {Violations}", folder, string.Join("; ", read.Violations.Select(v => $"{v.Path}: {v.Message}")));
                continue;
            }

            var definition = read.Definition!;
            var existing = catalog.Current.Find(definition.Identifier);
            if (existing is { IsRetired: true })
            {
                continue;
            }

            var source = Path.Combine(folder, definition.Source.File);
            if (existing?.Current is { } current && File.Exists(source) && SourceFingerprint.Compute(source).Sha256 == current.Sha256)
            {
                continue;
            }

            try
            {
                var result = await publisher.PublishAsync(definition, source, "seed", null, ct);
                if (result.Status == PublishStatus.Invalid)
                {
                    logger.LogError("Sample dataset {Id} was not published: {Count} rejected values, first: {First}", definition.Identifier,
                        result.Report!.RejectedValueCount, result.Report.RejectedValues.Count > 0 ? result.Report.RejectedValues[0] : null);
                }
                else
                {
                    logger.LogInformation("Sample dataset {Id}: {Status} v{Version} ({Rows} rows)", definition.Identifier, result.Status, result.Version, result.Rows);
                }
            }
            catch (Exception ex) when (ex is MetadataException or IngestException or PublishConflictException)
            {
                logger.LogError("Sample dataset {Id} was not published: {Message}", definition.Identifier, ex.Message);
            }
        }
    }
}
