using Grocery.Workflows.Messaging.Telemetry;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Sagas;
using Microsoft.EntityFrameworkCore;
using Prometheus;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>
/// Gauges of the whole cluster, read from the shared database when Prometheus scrapes (a handful of indexed GROUP BY
/// queries): saga instances per state and how long the oldest has waited, the outbox (<see cref="OutboxGauges"/>),
/// inventory accuracy. Every instance reports the same values; rules take the max over instances.
/// </summary>
public sealed class ClusterGauges(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly Gauge SagaInstances = Metrics.CreateGauge(
        "saga_instances", "Saga instances per state (whole cluster, from the database).", "saga", "state");

    public static readonly Gauge OldestInstanceAge = Metrics.CreateGauge(
        "saga_oldest_instance_age_seconds", "How long the longest-waiting instance has been in its state, for states that are not resting states (whole cluster).",
        "saga", "state");

    public static readonly Gauge InventoryAccuracy = Metrics.CreateGauge(
        "inventory_accuracy_ratio", "Share of counted SKUs whose book quantity matched the count, per store, at its last stock reconciliation.", "store");

    /// <summary>Reads every gauge; called by prometheus-net before each collection.</summary>
    public async Task Refresh(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var now = time.GetUtcNow();

        var instances = new Dictionary<string[], double>(LabelComparer.Instance);
        var ages = new Dictionary<string[], double>(LabelComparer.Instance);
        foreach (var saga in SagaCatalog.All)
        {
            foreach (var state in await SagaStateCounts.Read(db, saga.Name, cancellationToken))
            {
                instances[[saga.Name, state.State]] = state.Count;
                if (!saga.RestingStates.Contains(state.State))
                {
                    ages[[saga.Name, state.State]] = Math.Max(0, (now - state.OldestEnteredAt).TotalSeconds);
                }
            }
        }

        Replace(SagaInstances, instances);
        Replace(OldestInstanceAge, ages);

        await OutboxGauges.Refresh(db, now, cancellationToken);

        Replace(InventoryAccuracy, (await Persistence.Stock.InventoryAccuracy.ByStore(db, cancellationToken))
            .ToDictionary(a => new[] { a.Key }, a => a.Value, LabelComparer.Instance));
    }

    /// <summary>Sets the gauge to exactly these series: a state no instance is in any more disappears instead of keeping its last value.</summary>
    private static void Replace(Gauge gauge, Dictionary<string[], double> values)
    {
        foreach (var labels in gauge.GetAllLabelValues().Where(l => !values.ContainsKey(l)).ToList())
        {
            gauge.RemoveLabelled(labels);
        }

        foreach (var (labels, value) in values)
        {
            gauge.WithLabels(labels).Set(value);
        }
    }

    private sealed class LabelComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] obj)
        {
            var hash = new HashCode();
            foreach (var label in obj)
            {
                hash.Add(label, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
