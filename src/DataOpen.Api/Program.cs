using DataOpen.Api.Access;
using DataOpen.Api.Admin;
using DataOpen.Api.Catalog;
using DataOpen.Api.Ckan;
using DataOpen.Api.Community;
using DataOpen.Api.Datasets;
using DataOpen.Api.Feeds;
using DataOpen.Api.GraphQL;
using DataOpen.Api.Harvest;
using DataOpen.Api.Health;
using DataOpen.Api.Indexing;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Maps;
using DataOpen.Api.OData;
using DataOpen.Api.Pages;
using DataOpen.Api.Publishing;
using DataOpen.Api.Quality;
using DataOpen.Api.Rows;
using DataOpen.Api.Statistics;
using DataOpen.Api.Telemetry;
using DataOpen.Api.Webhooks;

if (args.Length > 0 && args[0] == "datasets")
{
    return await DatasetsCli.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "healthcheck")
{
    // Used by the container's HEALTHCHECK: the runtime image has no curl.
    return await HealthEndpoints.ProbeAsync(args.Length > 1 ? args[1] : "http://localhost:8080/health/ready");
}

var builder = WebApplication.CreateBuilder(args);
builder.AddDataOpen();
builder.AddTelemetry();
builder.Services.AddCatalog().AddCatalogListener();
builder.Services.AddRowEngine();
builder.Services.AddPublishing();
builder.Services.AddAdaptiveIndexes();
builder.AddAccess();
builder.Services.AddDataOpenOpenApi();
builder.Services.AddDatasetRows();
builder.Services.AddODataFeeds();
builder.Services.AddDataOpenGraphQL();
builder.Services.AddDataOpenPages();
builder.Services.AddPolicyStatistics();
builder.Services.AddCommunity();
builder.Services.AddQuality();
builder.Services.AddCkan();
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddMaps();

var app = builder.Build();
app.UseDataOpen();
app.UseTelemetry();
app.UseRowEngine();
app.UseDataOpenOpenApi();
app.UseAccess();
app.UseDataOpenPages();
app.MapHealth();
app.MapAdmin();
app.MapAdaptiveIndexes();
app.MapCatalog();
app.MapAccess();
app.MapCommunity();
app.MapQuality();
app.MapMaps();
app.MapDatasetRows();
app.MapODataFeeds();
app.MapGraphQL();
app.MapCkan();
app.MapFeeds();
app.MapWebhooks();
app.MapHarvest();
app.MapDataOpenPages();

if (PortOwner.TakenAddress(app.Configuration["urls"]) is { } taken)
{
    // Before anything starts: a second instance on a taken port leaves without touching a database.
    Console.Error.WriteLine("DataOpen cannot start: " + taken);
    return 1;
}

try
{
    // Opened before the host starts, so a cluster owned by another process is one line here, not a
    // "Hosting failed to start" stack trace (DatabaseStartup then finds it open).
    await DatabaseStartup.OpenAsync(app.Services.GetRequiredService<Database>(), app.Configuration,
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataOpenOptions>>().Value,
        app.Services.GetRequiredService<ILogger<Database>>(), CancellationToken.None);
    await app.RunAsync();
}
catch (EmbeddedPostgresException ex)
{
    // One clear message, no stack trace: what is missing (or who holds the cluster) and the ways out.
    Console.Error.WriteLine("DataOpen cannot start: " + ex.Message);
    return 1;
}
catch (IOException ex) when (PortOwner.DescribeBindFailure(ex) is { } bindFailure)
{
    // Taken between the check above and the bind: the host stopped only what it had started.
    Console.Error.WriteLine("DataOpen cannot start: " + bindFailure);
    await app.Services.GetRequiredService<Database>().DisposeAsync();
    return 1;
}

return 0;

/// <summary>The entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
