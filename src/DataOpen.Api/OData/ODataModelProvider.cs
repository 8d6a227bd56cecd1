using DataOpen.Api.Catalog;

namespace DataOpen.Api.OData;

/// <summary>
/// Holds the current <see cref="ODataModel"/>: rebuilt when <see cref="CatalogStore.Changed"/> fires
/// (on the thread that reloaded the catalog, not a reader's request) and swapped atomically.
/// </summary>
public sealed class ODataModelProvider : IDisposable
{
    private readonly CatalogStore store;
    private readonly ILogger<ODataModelProvider> logger;
    private readonly Lock buildLock = new();
    private volatile ODataModel current;

    public ODataModelProvider(CatalogStore store, ILogger<ODataModelProvider> logger)
    {
        this.store = store;
        this.logger = logger;
        current = ODataModel.Build(store.Current);
        store.Changed += OnChanged;
    }

    /// <summary>The model of the newest catalog version; a request reads it once and keeps it.</summary>
    public ODataModel Current
    {
        get
        {
            var model = current;
            var snapshot = store.Current;
            // A snapshot newer than the model means Changed fired before this provider subscribed.
            return model.CatalogVersion == snapshot.CatalogVersion ? model : Rebuild(snapshot);
        }
    }

    public void Dispose() => store.Changed -= OnChanged;

    private void OnChanged(CatalogSnapshot snapshot)
    {
        var model = Rebuild(snapshot);
        // Writing CSDL is the slow part for large catalogs: do it now rather than in the first $metadata request.
        _ = Task.Run(() =>
        {
            try
            {
                _ = model.MetadataXml;
            }
            catch (InvalidOperationException ex)
            {
                logger.LogError(ex, "OData $metadata of catalog version {Version} could not be written", model.CatalogVersion);
            }
        });
    }

    private ODataModel Rebuild(CatalogSnapshot snapshot)
    {
        lock (buildLock)
        {
            if (current.CatalogVersion >= snapshot.CatalogVersion && current.CatalogVersion != 0)
            {
                return current;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var model = ODataModel.Build(snapshot);
            current = model;
            logger.LogInformation("OData model for catalog version {Version}: {Sets} entity sets in {Ms:F0} ms", snapshot.CatalogVersion, model.Sets.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return model;
        }
    }
}
