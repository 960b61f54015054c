using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>
/// The management port: a second Kestrel server in the process, bound to <c>Management:Urls</c> (default
/// <c>http://127.0.0.1:9464</c>, several separated by <c>;</c>), that answers <c>GET /metrics</c> from prometheus-net's
/// process-wide registry (with the cluster gauges' before-collect callback) and nothing else. The API port does not
/// serve the scrape, so whatever reaches the API (the ingress) cannot read the metrics, and Prometheus needs no access
/// to the API. An empty <c>Management:Urls</c> turns it off. It has a pipeline of its own: no host filtering, no
/// request metrics, no API route.
/// </summary>
public sealed partial class ManagementServer(IConfiguration configuration, IHostEnvironment environment, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    public const string UrlsKey = "Management:Urls";

    private readonly ILogger _logger = loggers.CreateLogger<ManagementServer>();
    private WebApplication? _app;

    /// <summary>The addresses it listens on once started, with the ports chosen for port 0; empty when it is off or not started.</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    /// <summary><c>Management:Urls</c> split at <c>;</c>; each must be an <c>http://</c> address (the scrape is plain HTTP inside the cluster).</summary>
    public static IReadOnlyList<string> UrlsOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = (configuration[UrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{UrlsKey} '{url}' is not an http:// address (e.g. http://0.0.0.0:9464); leave {UrlsKey} empty to turn the management server off.");
            }
        }

        return urls;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = UrlsOf(configuration);
        if (urls.Count == 0)
        {
            LogOff();
            return;
        }

        // The empty builder reads no configuration source: neither the engine's Urls nor its AllowedHosts apply here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment.EnvironmentName,
            ApplicationName = environment.ApplicationName,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddRoutingCore();
        // The engine's logging; the engine's host alone answers SIGTERM and decides when this server stops.
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IHostLifetime, StartedByTheEngine>();
        var app = builder.Build();
        foreach (var url in urls)
        {
            app.Urls.Add(url);
        }

        app.MapMetrics("/metrics").WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        _app = app;
        // Kestrel has replaced the configured addresses by the bound ones (a port 0 by the port it was given).
        Addresses = [.. app.Urls.Select(a => new Uri(a))];
        LogListening(app.Urls);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Management server (GET /metrics) listening on {Addresses}")]
    private partial void LogListening(ICollection<string> addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "Management:Urls is empty: no management server, /metrics is not served")]
    private partial void LogOff();

    /// <summary>No console lifetime: it would answer SIGTERM and announce a second application start.</summary>
    private sealed class StartedByTheEngine : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
