using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DataOpen.Api.OData;
using DataOpen.Api.Rows;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Trace;

namespace DataOpen.Api.Tests.Telemetry;

/// <summary>The service with telemetry switched on (traces and the Prometheus endpoint), its spans kept by OpenTelemetry's in-memory exporter.</summary>
public sealed class TelemetryFactory : DataOpenFactory
{
    /// <summary>Every span the service's tracer provider exported (the provider listens process-wide: other tests' spans land here too).</summary>
    public List<Activity> Spans { get; } = [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataOpen:Telemetry:Enabled", "true"),
        new("DataOpen:Telemetry:PrometheusEnabled", "true"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }
}

/// <summary>
/// Each door's request is one server span with the door, dataset and version as attributes and its SQL (Npgsql) spans as
/// children; the Prometheus endpoint serves ASP.NET Core's http_server metrics. Requests carry their own traceparent, so
/// the spans of this test are told apart from those of tests running beside it.
/// </summary>
public sealed class TelemetryTests(TelemetryFactory factory) : IClassFixture<TelemetryFactory>
{
    private const string Dataset = "air-quality-hourly";

    [Fact]
    public async Task A_REST_rows_request_is_a_server_span_with_door_dataset_version_and_a_child_SQL_span()
    {
        await AssertTracedAsync("rest", () => new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets/{Dataset}/rows?limit=3&count=exact"));
    }

    [Fact]
    public async Task An_OData_request_is_a_server_span_with_door_dataset_version_and_a_child_SQL_span()
    {
        await AssertTracedAsync("odata", () => new HttpRequestMessage(HttpMethod.Get, $"/odata/{ODataModel.EntitySetName(Dataset)}?$top=2&$count=true"));
    }

    [Fact]
    public async Task A_GraphQL_query_is_a_server_span_with_door_dataset_version_and_a_child_SQL_span()
    {
        var body = JsonSerializer.Serialize(new { query = "{ airQualityHourly(first: 2) { totalCount nodes { station_code aqi } } }" });
        await AssertTracedAsync("graphql", () => new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    [Fact]
    public async Task The_Prometheus_endpoint_serves_http_server_metrics()
    {
        using var client = factory.CreateClient();
        using (var rows = await client.GetAsync($"/api/v1/datasets/{Dataset}/rows?limit=1"))
        {
            Assert.Equal(HttpStatusCode.OK, rows.StatusCode);
        }

        using var scrape = await client.GetAsync("/metrics");
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.True(text.Contains("http_route=\"/api/v1/datasets/{id}/rows\"", StringComparison.Ordinal), string.Join("\n", text.Split('\n').Where(l => l.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)).Take(5)));
        Assert.Contains("service_name=\"dataopen\"", text, StringComparison.Ordinal);
    }

    private async Task AssertTracedAsync(string door, Func<HttpRequestMessage> build)
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = build();
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var client = factory.CreateClient();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        Assert.DoesNotContain("\"errors\"", text, StringComparison.Ordinal);

        // The server span ends after the response has been sent: wait for it to be exported.
        var clock = Stopwatch.StartNew();
        Activity? server = null;
        Activity[] trace = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            trace = factory.Spans.ToArray().Where(a => a is not null && a.TraceId == traceId).ToArray();
            server = trace.FirstOrDefault(a => a.Kind == ActivityKind.Server);
            if (server is not null)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.True(server is not null, $"no server span of trace {traceId} among {factory.Spans.Count} exported spans");
        var version = factory.Catalog.Current.Find(Dataset)!.Current!.Version;
        Assert.Equal(door, server.GetTagItem(RequestTags.Door));
        Assert.Equal(Dataset, server.GetTagItem(RequestTags.Dataset));
        Assert.Equal(version, server.GetTagItem(RequestTags.Version));
        var sql = trace.Where(a => a.Source.Name == "Npgsql" && a.ParentSpanId == server.SpanId).ToList();
        Assert.True(sql.Count > 0, $"no Npgsql span is a child of the {door} server span; spans of the trace: {string.Join(", ", trace.Select(a => $"{a.Source.Name}/{a.DisplayName} parent {a.ParentSpanId}"))}");
        Assert.All(sql, s => Assert.Equal(ActivityKind.Client, s.Kind));
        Assert.True(sql.Any(s => (s.GetTagItem("db.query.text") ?? s.GetTagItem("db.statement")) is string statement && statement.Contains("\"data\".", StringComparison.Ordinal)),
            "no child SQL span reads a version table: " + string.Join(" | ", sql.Select(s => string.Join(", ", s.TagObjects.Select(t => $"{t.Key}={t.Value}")))));
    }
}
