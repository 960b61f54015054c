using Grocery.Workflows.Persistence.Telemetry;
using Prometheus;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>
/// Refreshes <see cref="ClusterGauges"/> before each scrape. prometheus-net's registry is process-wide and keeps its
/// callbacks for ever, so one callback is registered once and reaches whichever host is running (tests run several
/// hosts, one after another, in one process).
/// </summary>
internal sealed partial class ClusterGaugesAttachment(ClusterGauges gauges, ILogger<ClusterGaugesAttachment> logger) : IHostedService
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async cancellationToken =>
        {
            if (Volatile.Read(ref _current) is { } current)
            {
                await current.Refresh(cancellationToken);
            }
        });
        return true;
    });

    private static ClusterGaugesAttachment? _current;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Registered.Value;
        // The counters without labels appear at 0 from the first scrape, also on an instance that has counted nothing
        // yet (an API pod): rate() then has a start, and the deploy smoke test finds them.
        WorkflowMetrics.OrdersCompleted.Publish();
        Volatile.Write(ref _current, this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _current, null, this);
        return Task.CompletedTask;
    }

    /// <summary>A database that does not answer must not fail the scrape: the process and request metrics still matter then.</summary>
    private async Task Refresh(CancellationToken cancellationToken)
    {
        try
        {
            await gauges.Refresh(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRefreshFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the cluster gauges (saga states, outbox, accuracy) failed; they keep their last values")]
    private partial void LogRefreshFailed(Exception exception);
}
