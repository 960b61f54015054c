using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Messaging.Inbox;

/// <summary>
/// Deletes inbox rows, and those of the other <see cref="IDeduplicationTable"/>s, older than the retention, on every
/// instance (deletes of the same rows do not conflict).
/// </summary>
public sealed partial class InboxCleaner(
    IServiceScopeFactory scopes,
    WriteGate gate,
    IOptions<InboxSettings> settings,
    IEnumerable<IDeduplicationTable> others,
    TimeProvider time,
    ILogger<InboxCleaner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Value.CleanupInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await Clean(stoppingToken);
                if (deleted > 0)
                {
                    LogCleaned(logger, deleted);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
    }

    /// <summary>Deletes what is past the retention; returns how many rows.</summary>
    public async Task<int> Clean(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - settings.Value.Retention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        using (await gate.Enter(cancellationToken))
        {
            var deleted = await db.Inbox.Where(i => i.ReceivedAt < before).ExecuteDeleteAsync(cancellationToken);
            foreach (var table in others)
            {
                deleted += await table.DeleteReceivedBefore(db, before, cancellationToken);
            }

            return deleted;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} inbox and other deduplication rows past their retention")]
    private static partial void LogCleaned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox cleanup failed; trying again next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
