using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics (<c>DataOpen:Telemetry</c>), off by default. When on, each request has a server span
/// (ASP.NET Core) with its SQL spans (Npgsql) as children and the door, dataset and version as attributes; metrics are
/// ASP.NET Core's <c>http.server.*</c> and Npgsql's <c>db.client.*</c>. Export them over OTLP, as a Prometheus scrape
/// endpoint, or both.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "DataOpen:Telemetry";

    /// <summary>Collects traces and metrics. Also on when <see cref="OtlpEndpoint"/> is set or <see cref="PrometheusEnabled"/> is true.</summary>
    public bool Enabled { get; set; }

    /// <summary>The <c>service.name</c> resource attribute of every span and metric.</summary>
    [Required]
    public string ServiceName { get; set; } = "dataopen";

    /// <summary>
    /// Base address of an OpenTelemetry collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or
    /// <c>http://otel-collector:4318</c> (HTTP): traces and metrics are exported there. Unset: no OTLP export.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318; <c>/v1/traces</c> and <c>/v1/metrics</c> are appended).</summary>
    [RegularExpression("^(grpc|http/protobuf)$")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serves the metrics in the Prometheus text format at <see cref="PrometheusPath"/> (not rate-limited: keep it off the public proxy).</summary>
    public bool PrometheusEnabled { get; set; }

    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    [RegularExpression("^/[A-Za-z0-9/_-]*$")]
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>Fraction of requests traced (parent-based: a caller's sampled traceparent is always followed), 0 to 1.</summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 1.0;

    public bool IsOn => Enabled || OtlpEndpoint is not null || PrometheusEnabled;
}
