using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Messaging.Telemetry;
using MassTransit.Logging;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;
using Prometheus.HttpMetrics;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>Where traces go (section <c>Otlp</c>). Without an endpoint no trace is recorded or exported.</summary>
public sealed class OtlpSettings
{
    /// <summary>The OpenTelemetry collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>:4318</c> with <see cref="Protocol"/> HttpProtobuf.</summary>
    public Uri? Endpoint { get; set; }

    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>Share of new traces recorded (a trace started upstream keeps its caller's decision).</summary>
    [Range(0.0, 1.0)]
    public double SampleRatio { get; set; } = 1.0;

    public string ServiceName { get; set; } = "grocery-workflows";
}

public static class TelemetryRegistration
{
    /// <summary>Seconds; the checkout objective (1 s) and slot availability objective (0.5 s) are bucket edges.</summary>
    private static readonly double[] RequestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// Traces (OTLP, when <c>Otlp:Endpoint</c> is set) from HTTP requests through MassTransit's consumers and sagas, the
    /// outbox, HttpClient (Stripe, MoMo), Npgsql and Redis; log lines carry the trace and span ids; Prometheus metrics,
    /// scraped at <c>/metrics</c> of the management server (<see cref="ManagementServer"/>), not on the API port.
    /// </summary>
    public static WebApplicationBuilder AddGroceryTelemetry(this WebApplicationBuilder builder, bool redis)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OtlpSettings>().BindConfiguration("Otlp").ValidateDataAnnotations().ValidateOnStart();
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        // The engine's metrics only: the .NET meter and event counter adapters would publish names this engine does not own.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });
        builder.Services.AddSingleton<ClusterGauges>();
        builder.Services.AddHostedService<ClusterGaugesAttachment>();
        // Registered early, so stopped late: the scrape still answers while the engine drains on shutdown.
        builder.Services.AddSingleton<ManagementServer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ManagementServer>());

        var otlp = builder.Configuration.GetSection("Otlp").Get<OtlpSettings>() ?? new OtlpSettings();
        if (otlp.Endpoint is null)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(otlp.ServiceName, serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(otlp.SampleRatio)))
                    .AddSource(DiagnosticHeaders.DefaultListenerName, GroceryTelemetry.SourceName)
                    // The instrumentation listens process-wide, so it also sees the management server's scrapes.
                    .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                        !context.Request.Path.StartsWithSegments("/metrics") && !context.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddOtlpExporter(o =>
                    {
                        o.Endpoint = otlp.Endpoint;
                        o.Protocol = otlp.Protocol;
                    });
                if (redis)
                {
                    tracing.AddRedisInstrumentation();
                }
            });
        return builder;
    }

    /// <summary><c>http_request_duration_seconds</c> per route; call before the exception handler, so that a request that throws is counted with the 500 it answers.</summary>
    public static WebApplication UseGroceryHttpMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseHttpMetrics(o =>
        {
            o.RequestDuration.Histogram = Metrics.CreateHistogram("http_request_duration_seconds",
                "HTTP requests by route template, method and status code.",
                new HistogramConfiguration { LabelNames = HttpRequestLabelNames.All, Buckets = RequestBuckets });
        });
        return app;
    }
}
