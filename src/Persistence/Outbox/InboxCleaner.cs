using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence.Outbox;

/// <summary>How long consumed message ids are remembered (section <c>Inbox</c>).</summary>
public sealed class InboxSettings
{
    /// <summary>
    /// A duplicate arrives within minutes (an outbox row sent again after a crash, a broker redelivery); a week is
    /// far beyond that, and keeps the table to about a week of traffic.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Deletes inbox rows older than the retention, on every instance (deletes of the same rows do not conflict).</summary>
public sealed partial class InboxCleaner(IServiceScopeFactory scopes, WriteGate gate, IOptions<InboxSettings> settings, TimeProvider time, ILogger<InboxCleaner> logger)
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
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        using (await gate.Enter(cancellationToken))
        {
            // Provider webhooks are deduplicated the same way: a provider stops retrying an event within days.
            return await db.Inbox.Where(i => i.ReceivedAt < before).ExecuteDeleteAsync(cancellationToken)
                + await db.ProviderEvents.Where(e => e.ReceivedAt < before).ExecuteDeleteAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} inbox and provider event rows past their retention")]
    private static partial void LogCleaned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox cleanup failed; trying again next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
