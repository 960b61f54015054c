using System.Text.Json;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Grocery.Workflows.Persistence.Telemetry;

/// <summary>
/// Gauges of the whole cluster, read from the shared database when Prometheus scrapes (a handful of indexed GROUP BY
/// queries): saga instances per state and how long the oldest has waited, the outbox backlog, inventory accuracy.
/// Every instance reports the same values; rules take the max over instances.
/// </summary>
public sealed class ClusterGauges(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>The stock reconciliation job's name (its runs' summaries hold the accuracy per store).</summary>
    public const string ReconciliationJob = "stock-reconciliation";

    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web);

    internal static readonly Gauge SagaInstances = Metrics.CreateGauge(
        "saga_instances", "Saga instances per state (whole cluster, from the database).", "saga", "state");

    internal static readonly Gauge OldestInstanceAge = Metrics.CreateGauge(
        "saga_oldest_instance_age_seconds", "How long the longest-waiting instance has been in its state, for states that are not resting states (whole cluster).",
        "saga", "state");

    internal static readonly Gauge OutboxBacklog = Metrics.CreateGauge(
        "outbox_backlog_messages", "Outbox rows due and not yet delivered (whole cluster).");

    internal static readonly Gauge OutboxOldestAge = Metrics.CreateGauge(
        "outbox_oldest_message_age_seconds", "How long the oldest due outbox row has been due, a row that failed counted from when it was written; 0 when none is (whole cluster).");

    internal static readonly Gauge OutboxScheduled = Metrics.CreateGauge(
        "outbox_scheduled_messages", "Outbox rows due in the future: saga deadlines and delayed steps (whole cluster).");

    internal static readonly Gauge InventoryAccuracy = Metrics.CreateGauge(
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

        OutboxBacklog.Set(await db.Outbox.AsNoTracking().CountAsync(x => x.DueAt <= now, cancellationToken));
        // A row that failed waits for its back-off with a due time moved ahead; it counts from when it was written, so a
        // row that keeps failing grows old instead of looking fresh after every attempt.
        var oldest = await db.Outbox.AsNoTracking().Where(x => x.DueAt <= now || x.Attempts > 0)
            .MinAsync(x => (DateTimeOffset?)(x.Attempts > 0 ? x.CreatedAt : x.DueAt), cancellationToken);
        OutboxOldestAge.Set(oldest is null ? 0 : Math.Max(0, (now - oldest.Value).TotalSeconds));
        OutboxScheduled.Set(await db.Outbox.AsNoTracking().CountAsync(x => x.DueAt > now, cancellationToken));

        Replace(InventoryAccuracy, await AccuracyByStore(db, cancellationToken));
    }

    /// <summary>Per store, the accuracy its most recent successful reconciliation found (one run may cover some stores only).</summary>
    private static async Task<Dictionary<string[], double>> AccuracyByStore(WorkflowDbContext db, CancellationToken cancellationToken)
    {
        var summaries = await db.JobRuns.AsNoTracking()
            .Where(r => r.JobName == ReconciliationJob && r.Status == JobRunStatus.Succeeded && r.Summary != null)
            .OrderByDescending(r => r.FinishedAt).Take(50).Select(r => r.Summary!)
            .ToListAsync(cancellationToken);
        var accuracy = new Dictionary<string[], double>(LabelComparer.Instance);
        foreach (var summary in summaries)
        {
            var result = JsonSerializer.Deserialize<ReconciliationResult>(summary, SummaryJson);
            foreach (var store in result?.Stores ?? [])
            {
                if (store.AccuracyPercent is { } percent)
                {
                    accuracy.TryAdd([store.StoreId], (double)percent / 100);
                }
            }
        }

        return accuracy;
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
