using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Catalog;

/// <summary>
/// Work done once per published version after it appears (quality scores, download digests): a pass at start-up, at every
/// catalog change and every minute, on every instance (the first insert wins), retried at the next change when the
/// database fails under it.
/// </summary>
public abstract class CatalogChangeWorker(CatalogStore catalog, Database database, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim changed = new(0);

    /// <summary>What the pass does, for the logs ("Scored the quality of", …).</summary>
    protected abstract string Work { get; }

    /// <summary>One pass; returns how many versions it completed.</summary>
    protected abstract Task<int> PassAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        catalog.Changed += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (database.IsReady)
                {
                    try
                    {
                        var n = await PassAsync(stoppingToken);
                        if (n > 0)
                        {
                            logger.LogInformation("{Work} {Count} new versions", Work, n);
                        }
                    }
                    catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                    {
                        logger.LogWarning(ex, "{Work} new versions failed; retrying at the next catalog change", Work);
                    }
                }

                await changed.WaitAsync(TimeSpan.FromSeconds(database.IsReady ? 60 : 1), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            catalog.Changed -= OnChanged;
        }
    }

    public override void Dispose()
    {
        changed.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    private void OnChanged(CatalogSnapshot snapshot) => changed.Release();
}
