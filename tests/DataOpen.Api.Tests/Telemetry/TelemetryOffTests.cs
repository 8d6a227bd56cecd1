using System.Net;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Telemetry;

/// <summary>Telemetry is off unless configured: the default service has no scrape endpoint and no tracer provider.</summary>
[Collection(ApiTests.Name)]
public sealed class TelemetryOffTests(DataOpenFactory factory)
{
    [Fact]
    public async Task By_default_there_is_no_metrics_endpoint_and_no_tracer_provider()
    {
        using var client = factory.CreateClient();
        using var scrape = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, scrape.StatusCode);
        Assert.DoesNotContain("http_server_request_duration", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(factory.Services.GetService(typeof(OpenTelemetry.Trace.TracerProvider)));
        Assert.Null(factory.Services.GetService(typeof(OpenTelemetry.Metrics.MeterProvider)));
    }
}
