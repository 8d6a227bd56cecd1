using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace DataOpen.Api.Health;

public sealed record HealthReport(string Status, long CatalogVersion, IReadOnlyDictionary<string, string> Checks);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").ExcludeFromDescription().WithStrictQuery();
        group.MapGet("/live", () => TypedResults.Ok(new HealthReport("live", 0, new Dictionary<string, string>())))
            .WithName("Live").WithSummary("The process is up.");
        group.MapGet("/ready", Ready).WithName("Ready").WithSummary("PostgreSQL answers and every migration is applied.");
        return app;
    }

    /// <summary>Exit code 0 when <paramref name="url"/> answers 2xx within 5 s.</summary>
    public static async Task<int> ProbeAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> Ready(HttpContext http, Database database, CatalogStore catalog, IEnumerable<IHealthSignal> signals, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>();
        var ok = database.IsReady;
        checks["startup"] = database.IsReady ? "ok" : "starting";
        if (database.IsOpen)
        {
            try
            {
                await database.ReadAsync(async (conn, token) =>
                {
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    return await cmd.ExecuteScalarAsync(token);
                }, ct);
                checks["postgres"] = "ok";
                var upToDate = await Migrator.IsUpToDateAsync(database.Writer, ct);
                checks["migrations"] = upToDate ? "ok" : "pending";
                ok &= upToDate;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                database.ReportFault(ex);
                checks["postgres"] = "unreachable: " + ex.Message;
                ok = false;
            }
        }
        else
        {
            checks["postgres"] = "not open";
            ok = false;
        }

        if (database.Replicas is { } replicas)
        {
            // Reader hosts: a standby down or behind is reported, not fatal (reads go to the other hosts).
            checks["replicas"] = replicas.Describe();
        }

        foreach (var signal in signals)
        {
            // Degraded parts (e.g. a shared limiter fallen back to local limits) are reported, not fatal.
            checks[signal.Name] = signal.Describe();
        }

        var report = new HealthReport(ok ? "ready" : "unavailable", catalog.Current.CatalogVersion, checks);
        if (!ok)
        {
            // Load balancers and orchestrators take the instance out of rotation; clients know when to ask again.
            http.Response.Headers.RetryAfter = DatabaseFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers.CacheControl = "no-store";
        }

        return ok ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>A part of the service that reports its state in /health/ready (e.g. the Redis rate-limit store).</summary>
public interface IHealthSignal
{
    string Name { get; }

    string Describe();
}
