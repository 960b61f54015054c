using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Audit;

/// <summary>
/// <c>audit_retention</c>, one row: audit rows older than its mark may be deleted, no others (audit_log's trigger
/// refuses the rest). Its own triggers keep it one row whose mark is never later than 30 days ago, so even a mistaken
/// setting cannot delete a recent audit row. Only the retention job moves it, forward.
/// </summary>
public static class AuditRetentionMark
{
    public static Task<int> MoveTo(WorkflowDbContext db, DateTimeOffset before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsNpgsql()
            ? db.Database.ExecuteSqlAsync($"UPDATE audit_retention SET delete_before = {before.ToUniversalTime()} WHERE id = 1 AND delete_before < {before.ToUniversalTime()}", cancellationToken)
            // SQLite keeps instants as UTC ticks (UtcTicksConverter).
            : db.Database.ExecuteSqlAsync($"UPDATE audit_retention SET delete_before = {before.UtcTicks} WHERE id = 1 AND delete_before < {before.UtcTicks}", cancellationToken);
    }
}
