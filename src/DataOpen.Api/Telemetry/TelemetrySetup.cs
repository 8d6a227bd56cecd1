using DataOpen.Api.Rows;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataOpen.Api.Telemetry;

public static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry when <c>DataOpen:Telemetry</c> switches it on (see <see cref="TelemetryOptions"/>); otherwise nothing is
    /// registered: no listener, no exporter, no endpoint. The engine names door, dataset and version on the server span
    /// (<see cref="RequestTags"/>).
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!options.IsOn)
        {
            return builder;
        }

        var protocol = options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        Uri Signal(string path) => protocol == OtlpExportProtocol.Grpc ? options.OtlpEndpoint! : new Uri(options.OtlpEndpoint!, path);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsPlumbing(http.Request.Path, options))
                    .AddNpgsql();
                if (options.OtlpEndpoint is not null)
                {
                    tracing.AddOtlpExporter(o => (o.Protocol, o.Endpoint) = (protocol, Signal("v1/traces")));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddNpgsqlInstrumentation();
                if (options.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter(o => (o.Protocol, o.Endpoint) = (protocol, Signal("v1/metrics")));
                }

                if (options.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        return builder;
    }

    /// <summary>
    /// The Prometheus scrape endpoint, when enabled. A branch of the pipeline placed before access control: scrapes are
    /// neither rate-limited nor counted, and are not traced.
    /// </summary>
    public static WebApplication UseTelemetry(this WebApplication app)
    {
        var options = app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.PrometheusEnabled)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(options.PrometheusPath);
        }

        return app;
    }

    /// <summary>Health probes and the scrape itself are not traced.</summary>
    private static bool IsPlumbing(PathString path, TelemetryOptions options) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || (options.PrometheusEnabled && path.StartsWithSegments(options.PrometheusPath, StringComparison.OrdinalIgnoreCase));
}
