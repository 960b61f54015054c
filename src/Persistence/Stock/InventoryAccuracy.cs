using System.Text.Json;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Stock;

/// <summary>
/// Inventory accuracy as the nightly stock reconciliation found it: per store, the share of counted SKUs whose book
/// quantity matched the count, from that store's most recent successful run (one run may cover some stores only). The
/// cluster gauge and the ops console both read it here.
/// </summary>
public static class InventoryAccuracy
{
    /// <summary>The stock reconciliation job's name: its runs' summaries hold the accuracy per store.</summary>
    public const string ReconciliationJob = "stock-reconciliation";

    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web);

    /// <summary>Store id to accuracy as a ratio (0 to 1), for the stores some recent run counted.</summary>
    public static async Task<Dictionary<string, double>> ByStore(WorkflowDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var summaries = await db.JobRuns.AsNoTracking()
            .Where(r => r.JobName == ReconciliationJob && r.Status == JobRunStatus.Succeeded && r.Summary != null)
            .OrderByDescending(r => r.FinishedAt).Take(50).Select(r => r.Summary!)
            .ToListAsync(cancellationToken);
        var accuracy = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var summary in summaries)
        {
            var result = JsonSerializer.Deserialize<ReconciliationResult>(summary, SummaryJson);
            foreach (var store in result?.Stores ?? [])
            {
                if (store.AccuracyPercent is { } percent)
                {
                    accuracy.TryAdd(store.StoreId, (double)percent / 100);
                }
            }
        }

        return accuracy;
    }
}
