using Grocery.Workflows.Persistence.Telemetry;
using Prometheus;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>
/// Refreshes <see cref="ClusterGauges"/> before each scrape. prometheus-net's registry is process-wide and keeps its
/// callbacks for ever, so one callback is registered once and reaches the host started last of those still running
/// (one outside tests, which run several hosts in one process).
/// </summary>
internal sealed partial class ClusterGaugesAttachment(ClusterGauges gauges, IConfiguration configuration, ILogger<ClusterGaugesAttachment> logger)
    : IHostedService, IDisposable
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async cancellationToken =>
        {
            if (Current() is { } current)
            {
                await current.Refresh(cancellationToken);
            }
        });
        return true;
    });

    /// <summary>The running hosts of the process, the latest started last (one, outside tests).</summary>
    private static readonly List<ClusterGaugesAttachment> Running = [];

    /// <summary>Scrapes closer together than this (several Prometheus servers, a curl loop) reuse the last reading.</summary>
    private readonly TimeSpan _minimumInterval = configuration.GetValue("Metrics:ClusterGaugesInterval", TimeSpan.FromSeconds(10));

    private static readonly Gauge Refreshed = Metrics.CreateGauge(
        "cluster_gauges_refreshed_timestamp_seconds", "When the cluster gauges (saga states, outbox, accuracy) were last read from the database (Unix time); old means they are stale.");

    private readonly SemaphoreSlim _one = new(1, 1);
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    private static ClusterGaugesAttachment? Current()
    {
        lock (Running)
        {
            return Running.Count == 0 ? null : Running[^1];
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Registered.Value;
        // The counters without labels appear at 0 from the first scrape, also on an instance that has counted nothing
        // yet (an API pod): rate() then has a start, and the deploy smoke test finds them.
        WorkflowMetrics.OrdersCompleted.Publish();
        lock (Running)
        {
            Running.Add(this);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (Running)
        {
            Running.Remove(this);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _one.Dispose();

    /// <summary>
    /// One reading at a time, at most one per <c>Metrics:ClusterGaugesInterval</c> (10 s). A database that does not answer must not
    /// fail the scrape (the process and request metrics still matter then): the gauges keep their last values and
    /// <c>cluster_gauges_refreshed_timestamp_seconds</c> says how old they are.
    /// </summary>
    private async Task Refresh(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            if (DateTimeOffset.UtcNow - _last < _minimumInterval)
            {
                return;
            }

            await gauges.Refresh(cancellationToken);
            _last = DateTimeOffset.UtcNow;
            Refreshed.SetToTimeUtc(_last);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRefreshFailed(exception);
        }
        finally
        {
            _one.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the cluster gauges (saga states, outbox, accuracy) failed; they keep their last values")]
    private partial void LogRefreshFailed(Exception exception);
}
