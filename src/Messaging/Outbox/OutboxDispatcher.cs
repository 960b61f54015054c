using System.Diagnostics;
using System.Text.Json;
using Grocery.Workflows.Messaging.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// Delivers committed outbox rows that are due, oldest first, then deletes them. On PostgreSQL the claim is
/// <c>FOR UPDATE SKIP LOCKED</c> in a transaction held across the sends, so every instance can run a dispatcher; on
/// SQLite the rows are read without a lock and deleted under the write gate once sent. A crash after a send and
/// before the delete sends that row again later (at least once); consumers' inboxes drop the duplicate.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    WriteGate gate,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IOptions<OutboxSettings> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    /// <summary>
    /// Marks a row left in the table for the next batch: the transport stalled, or an earlier row of its order did not go
    /// out (failed, stalled, or claimed by another instance).
    /// </summary>
    private static readonly TimeoutException NotSent = new("Not sent; left for the next batch");

    private static readonly TimeSpan HeldElsewhereRetry = TimeSpan.FromMilliseconds(10);

    private readonly OutboxSettings _settings = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_settings.DispatcherEnabled)
        {
            return;
        }

        // Rows left by a crash are delivered only once the bus runs: an in-memory exchange without its queues
        // bound yet would drop them.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (delivered, nextDue) = await DeliverDue(stoppingToken);
                failures = 0;
                if (delivered == _settings.BatchSize)
                {
                    continue;
                }

                var wait = _settings.PollInterval;
                if (nextDue is { } due && due - time.GetUtcNow() < wait)
                {
                    wait = due - time.GetUtcNow() is var untilDue && untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero;
                }

                await signal.Wait(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                failures++;
                LogDeliveryFailed(exception, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(failures, 6)))), time, stoppingToken);
            }
        }

        await Flush();
    }

    /// <summary>
    /// On a graceful stop (SIGTERM) the bus is still running: hand it what is already due, for at most a few
    /// seconds, so that in-flight work does not wait for another instance or the next start.
    /// </summary>
    private async Task Flush()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while ((await DeliverDue(limit.Token)).Delivered > 0)
            {
                // Each round delivers a batch; the loop ends when nothing more is due.
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogFlushIncomplete(exception);
        }
    }

    /// <summary>Delivers one batch of due rows; returns how many, and when the next row falls due.</summary>
    public async Task<(int Delivered, DateTimeOffset? NextDue)> DeliverDue(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var now = time.GetUtcNow();
        List<OutboxMessage> rows;
        Exception?[] outcomes;
        var held = false;
        if (db.SupportsSkipLocked)
        {
            // PostgreSQL: the claim holds its rows across the sends, so that other instances' dispatchers skip them; the
            // write gate is no lock here.
            await using var claim = await db.Database.BeginTransactionAsync(cancellationToken);
            rows = await db.Outbox.FromSqlInterpolated(
                    $"SELECT * FROM outbox_messages WHERE due_at <= {now} ORDER BY id LIMIT {_settings.BatchSize} FOR UPDATE SKIP LOCKED")
                .AsNoTracking()
                .ToListAsync(cancellationToken);
            var lanes = Lanes(rows, await HeldElsewhere(db, rows, now, cancellationToken));
            held = lanes.Sum(lane => lane.Count) < rows.Count;
            outcomes = await Send(rows, lanes, cancellationToken);
            await Settle(db, rows, outcomes, now, cancellationToken);
            await claim.CommitAsync(cancellationToken);
        }
        else
        {
            // SQLite: the read needs no lock (WAL readers never wait for the writer) and the sends hold none, so that the
            // consumers of what is sent, and every other writer, do not wait for the broker's confirms; the single writer is
            // taken only to delete what went out. One dispatcher runs per process; a row read again by another process
            // sharing the file before its delete is a duplicate, which the inboxes drop.
            rows = await db.Outbox.AsNoTracking().Where(x => x.DueAt <= now).OrderBy(x => x.Id).Take(_settings.BatchSize).ToListAsync(cancellationToken);
            outcomes = await Send(rows, Lanes(rows, []), cancellationToken);
            if (rows.Count > 0)
            {
                using (await gate.Enter(cancellationToken))
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await Settle(db, rows, outcomes, now, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
            }
        }

        var delivered = outcomes.Count(outcome => outcome is null);
        MessagingMetrics.OutboxDelivered.Inc(delivered);
        for (var i = 0; i < rows.Count; i++)
        {
            if (outcomes[i] is null && rows[i].DueAt > rows[i].CreatedAt && rows[i].Attempts == 0)
            {
                // A deadline (a row that failed before was put off by its back-off, not scheduled): how late it went out,
                // the number a saga's timeouts are only as good as.
                MessagingMetrics.DeadlineLag.Observe(Math.Max(0, (now - rows[i].DueAt).TotalSeconds));
            }
        }

        if (rows.Count == _settings.BatchSize)
        {
            return (delivered, now);
        }

        if (held)
        {
            // Rows of this batch wait behind an earlier row of their order in another instance's batch, which is sent and
            // deleted within a broker round trip or two: look again then, not a poll interval later.
            return (delivered, time.GetUtcNow() + HeldElsewhereRetry);
        }

        var nextDue = await db.Outbox.Where(x => x.DueAt > now).OrderBy(x => x.DueAt).Select(x => (DateTimeOffset?)x.DueAt).FirstOrDefaultAsync(cancellationToken);
        return (delivered, nextDue);
    }

    /// <summary>
    /// Sends the lanes side by side, each lane's rows one after another. Returns each row's outcome: <c>null</c> when sent,
    /// <see cref="NotSent"/> when left for the next batch, or the exception that failed it.
    /// </summary>
    private async Task<Exception?[]> Send(List<OutboxMessage> rows, List<List<int>> lanes, CancellationToken cancellationToken)
    {
        // Orders go out concurrently, each send waiting for the broker's confirm (one at a time would cap the whole
        // engine at one confirm round trip per message). The rows of one order go one after another, in commit order,
        // each after the previous one's confirm: sent side by side, a later event of an order overtook an earlier one on
        // the way to its saga (PickingCompleted before PickingStarted).
        var outcomes = new Exception?[rows.Count];
        Array.Fill(outcomes, NotSent);
        var stalled = 0;
        await Parallel.ForEachAsync(lanes,
            new ParallelOptions { MaxDegreeOfParallelism = _settings.SendConcurrency, CancellationToken = cancellationToken },
            async (lane, token) =>
            {
                foreach (var i in lane)
                {
                    if (Volatile.Read(ref stalled) == 1)
                    {
                        return;
                    }

                    try
                    {
                        using var patience = CancellationTokenSource.CreateLinkedTokenSource(token);
                        patience.CancelAfter(_settings.SendTimeout);
                        // WaitAsync as well: a send that ignores its token is abandoned (and, if it lands after all, is a duplicate the inbox drops).
                        await Deliver(rows[i], patience.Token).WaitAsync(_settings.SendTimeout, time, token);
                        outcomes[i] = null;
                    }
                    catch (Exception exception) when (exception is TimeoutException or OperationCanceledException && !token.IsCancellationRequested)
                    {
                        // The transport is down or stuck, not the row: keep what was delivered and try the rest later.
                        Volatile.Write(ref stalled, 1);
                        LogSendTimedOut(rows[i].Id, _settings.SendTimeout);
                        return;
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // The order's later rows stay for the next batch rather than overtake this one.
                        outcomes[i] = exception;
                        return;
                    }
                }
            });
        return outcomes;
    }

    /// <summary>
    /// Deletes the rows that went out, and puts off each row that failed, in the caller's transaction. By id, not by
    /// tracked entity: on SQLite a deadline unscheduled while it was being sent is gone already, which is no conflict.
    /// </summary>
    private async Task Settle(MessagingDbContext db, List<OutboxMessage> rows, Exception?[] outcomes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sent = new List<long>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, failure) = (rows[i], outcomes[i]);
            if (failure is null)
            {
                sent.Add(row.Id);
            }
            else if (!ReferenceEquals(failure, NotSent))
            {
                // One row that cannot be delivered (an unknown type after a deploy, a broken body) must not hold up the
                // others: it waits longer each time and keeps its error for ops.
                var attempts = row.Attempts + 1;
                var error = $"{failure.GetType().Name}: {failure.Message}";
                var due = now + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Min(attempts, 8))));
                await db.Outbox.Where(x => x.Id == row.Id).ExecuteUpdateAsync(
                    set => set.SetProperty(x => x.Attempts, attempts).SetProperty(x => x.LastError, error).SetProperty(x => x.DueAt, due),
                    cancellationToken);
                MessagingMetrics.OutboxFailed.Inc();
                LogRowFailed(failure, row.Id, row.MessageType, attempts);
            }
        }

        if (sent.Count > 0)
        {
            await db.Outbox.Where(x => sent.Contains(x.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The batch as lanes of row indexes: one lane per order with its rows in id (commit) order, and one lane for each
    /// row that belongs to no order. Rows of an order whose earlier row is held by another instance are left out.
    /// </summary>
    private static List<List<int>> Lanes(List<OutboxMessage> rows, Dictionary<Guid, long> heldElsewhere)
    {
        var lanes = new List<List<int>>();
        var byOrder = new Dictionary<Guid, List<int>>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].CorrelationId is not { } orderId)
            {
                lanes.Add([i]);
            }
            else if (heldElsewhere.TryGetValue(orderId, out var earlier) && rows[i].Id > earlier)
            {
                continue;
            }
            else if (byOrder.TryGetValue(orderId, out var lane))
            {
                lane.Add(i);
            }
            else
            {
                byOrder[orderId] = lane = [i];
                lanes.Add(lane);
            }
        }

        return lanes;
    }

    /// <summary>
    /// For each order of the batch, its first due row that this batch did not claim although it comes earlier: with
    /// <c>SKIP LOCKED</c> that is a row in another instance's batch, not yet sent or not yet deleted. The rows after it
    /// wait for the next batch. (Without <c>SKIP LOCKED</c> one dispatcher runs per process and reads the lowest ids.)
    /// </summary>
    private static async Task<Dictionary<Guid, long>> HeldElsewhere(MessagingDbContext db, List<OutboxMessage> rows, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (!db.SupportsSkipLocked || rows.Count == 0)
        {
            return [];
        }

        var orders = rows.Where(r => r.CorrelationId is not null).Select(r => r.CorrelationId).Distinct().ToList();
        var claimed = rows.Select(r => r.Id).ToList();
        var last = rows[^1].Id;
        return await db.Outbox
            .Where(x => x.DueAt <= now && x.Id < last && orders.Contains(x.CorrelationId) && !claimed.Contains(x.Id))
            .GroupBy(x => x.CorrelationId!.Value)
            .Select(g => new { OrderId = g.Key, First = g.Min(x => x.Id) })
            .ToDictionaryAsync(x => x.OrderId, x => x.First, cancellationToken);
    }

    private async Task Deliver(OutboxMessage row, CancellationToken cancellationToken)
    {
        var type = OutboxMessageTypes.Resolve(row.MessageType);
        var message = JsonSerializer.Deserialize(row.Body, type, OutboxMessageTypes.Json)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has an empty body.");
        var headers = OutboxMessageTypes.DeserializeHeaders(row.Headers);

        // The delivery continues the trace of whatever wrote the row; MassTransit's send span becomes its child.
        ActivityContext.TryParse(headers.GetValueOrDefault(OutboxMessageTypes.TraceParentHeader), null, isRemote: true, out var writer);
        using var span = GroceryTelemetry.Source.StartActivity("outbox deliver", ActivityKind.Producer, writer);
        span?.SetTag("messaging.message.id", row.MessageId);
        span?.SetTag("grocery.outbox.row_id", row.Id);
        span?.SetTag("grocery.outbox.message_type", type.Name);
        if (row.CorrelationId is { } orderId)
        {
            span?.SetTag(GroceryTelemetry.OrderIdTag, orderId);
        }

        var endpoint = await bus.GetSendEndpoint(new Uri(row.DestinationAddress));
        await endpoint.Send(message, type, Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = row.MessageId;
            context.ConversationId = row.ConversationId;
            context.CorrelationId = row.CorrelationId;
            context.InitiatorId = row.InitiatorId;
            context.ScheduledMessageId = row.ScheduleTokenId;
            if (row.SourceAddress is not null)
            {
                context.SourceAddress = new Uri(row.SourceAddress);
            }

            foreach (var (key, value) in headers.Where(h => h.Key != OutboxMessageTypes.TraceParentHeader))
            {
                context.Headers.Set(key, value);
            }
        }), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {RowId} ({MessageType}) could not be delivered (attempt {Attempts}); it is retried later")]
    private partial void LogRowFailed(Exception exception, long rowId, string messageType, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox row {RowId} was not confirmed by the transport within {Timeout}; the batch stops and the row is sent again")]
    private partial void LogSendTimedOut(long rowId, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox flush on shutdown stopped early; the rest is delivered by another instance or the next start")]
    private partial void LogFlushIncomplete(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox delivery failed ({Failures} in a row); retrying with back-off")]
    private partial void LogDeliveryFailed(Exception exception, int failures);
}
