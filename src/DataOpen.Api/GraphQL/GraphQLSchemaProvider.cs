using System.Diagnostics;
using DataOpen.Api.Catalog;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// Keeps the schema in step with the catalog: on every <see cref="CatalogStore.Changed"/> a new schema
/// is built and initialized on the thread pool (never on a request), then swapped in atomically.
/// Requests take <see cref="Current"/> once and keep it; until a build finishes they get the previous schema.
/// </summary>
public sealed class GraphQLSchemaProvider : IDisposable
{
    private readonly CatalogStore store;
    private readonly GraphQLLimits limits;
    private readonly ILogger<GraphQLSchemaProvider> logger;
    private readonly Lock buildLock = new();
    private volatile GraphQLModel? current;

    public GraphQLSchemaProvider(CatalogStore store, IOptions<GraphQLLimits> limits, ILogger<GraphQLSchemaProvider> logger)
    {
        this.store = store;
        this.limits = limits.Value;
        this.logger = logger;
        store.Changed += OnCatalogChanged;
    }

    /// <summary>Raised after a new schema is swapped in.</summary>
    public event Action<GraphQLModel>? Swapped;

    /// <summary>The latest built schema; built here only the very first time (before any catalog change was seen).</summary>
    public GraphQLModel Current => current ?? BuildLatest();

    public GraphQLLimits Limits => limits;

    public void Dispose() => store.Changed -= OnCatalogChanged;

    /// <summary>Waits until the schema reflects at least <paramref name="catalogVersion"/> (tests, admin tools).</summary>
    public async Task<GraphQLModel> WaitForCatalogVersionAsync(long catalogVersion, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var model = Current;
            if (model.CatalogVersion >= catalogVersion)
            {
                return model;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The GraphQL schema is at catalog version {model.CatalogVersion}, not {catalogVersion}, after {timeout}.");
            }

            await Task.Delay(20);
        }
    }

    private void OnCatalogChanged(CatalogSnapshot snapshot) => _ = Task.Run(BuildLatest);

    private GraphQLModel BuildLatest()
    {
        lock (buildLock)
        {
            // Later changes may have arrived while this build waited: build the newest snapshot only once.
            var snapshot = store.Current;
            if (current is { } existing && existing.CatalogVersion >= snapshot.CatalogVersion)
            {
                return existing;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                var model = SchemaBuilder.Build(snapshot, limits);
                current = model;
                logger.LogInformation("GraphQL schema for catalog version {Version} built in {Ms} ms ({Datasets} datasets with rows)",
                    snapshot.CatalogVersion, clock.ElapsedMilliseconds, model.RowFields.Count);
                Swapped?.Invoke(model);
                return model;
            }
            catch (Exception ex) when (current is not null)
            {
                // Keep serving the previous schema: a broken build must not take the door down.
                logger.LogError(ex, "Building the GraphQL schema for catalog version {Version} failed; still serving version {Old}", snapshot.CatalogVersion, current.CatalogVersion);
                return current;
            }
        }
    }
}

/// <summary>Creates the schema provider (which builds the first schema) at start-up rather than on the first request.</summary>
internal sealed class GraphQLSchemaWarmup(GraphQLSchemaProvider provider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = provider.Limits;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
