using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grocery.Workflows.Persistence.Stock;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>Job runs by job and outcome, their durations, and the inventory accuracy the last reconciliation found per store.</summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "Grocery.Workflows.Jobs";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, double> _accuracy = new(StringComparer.Ordinal);

    public JobMetrics()
    {
        _runs = _meter.CreateCounter<long>("grocery.job.runs", "{run}", "Job runs by job and outcome (Succeeded, Failed; Skipped, Deferred: another run was active).");
        _duration = _meter.CreateHistogram<double>("grocery.job.duration", "s", "How long job runs took, by job and outcome.");
        _meter.CreateObservableGauge("grocery.inventory.accuracy", ObserveAccuracy, "%",
            "Share of counted SKUs whose book quantity matched the count, per store, at the last reconciliation.");
    }

    public void Deferred(string job) => _runs.Add(1, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("outcome", "Deferred"));

    public void Skipped(string job) => _runs.Add(1, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("outcome", "Skipped"));

    public void Finished(string job, string outcome, TimeSpan duration)
    {
        var tags = new[] { new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("outcome", outcome) };
        _runs.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void Reconciled(ReconciliationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var store in result.Stores.Where(s => s.AccuracyPercent is not null))
        {
            _accuracy[store.StoreId] = (double)store.AccuracyPercent!.Value;
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveAccuracy() =>
        _accuracy.Select(a => new Measurement<double>(a.Value, new KeyValuePair<string, object?>("store", a.Key)));
}
