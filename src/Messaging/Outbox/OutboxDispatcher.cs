using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Grocery.Workflows.Messaging.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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
            Dictionary<Guid, long> heldElsewhere;
            (rows, heldElsewhere) = await Claim(db, now, cancellationToken);
            var lanes = Lanes(rows, heldElsewhere);
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
    /// PostgreSQL: claims a batch of due rows (<c>FOR UPDATE SKIP LOCKED</c>) and, in the same statement, finds for each
    /// order of the batch its first due row that the batch did not claim although it comes earlier: with <c>SKIP LOCKED</c>
    /// that is a row in another instance's batch, not yet sent or not yet deleted. The order's rows after it wait for the
    /// next batch. One round trip: the claim and the look-up used to be two, on every hop of every order.
    /// </summary>
    private async Task<(List<OutboxMessage> Rows, Dictionary<Guid, long> HeldElsewhere)> Claim(MessagingDbContext db, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = ClaimStatement;
        AddParameter(command, "now", now);
        AddParameter(command, "batch", _settings.BatchSize);
        var rows = new List<OutboxMessage>();
        var heldElsewhere = new Dictionary<Guid, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new OutboxMessage
            {
                Id = reader.GetInt64(0),
                MessageId = reader.GetGuid(1),
                MessageType = reader.GetString(2),
                DestinationAddress = reader.GetString(3),
                Body = reader.GetString(4),
                Headers = await Text(reader, 5, cancellationToken),
                ConversationId = await Value<Guid>(reader, 6, cancellationToken),
                CorrelationId = await Value<Guid>(reader, 7, cancellationToken),
                InitiatorId = await Value<Guid>(reader, 8, cancellationToken),
                SourceAddress = await Text(reader, 9, cancellationToken),
                ScheduleTokenId = await Value<Guid>(reader, 10, cancellationToken),
                CreatedAt = await reader.GetFieldValueAsync<DateTimeOffset>(11, cancellationToken),
                DueAt = await reader.GetFieldValueAsync<DateTimeOffset>(12, cancellationToken),
                Attempts = reader.GetInt32(13),
                LastError = await Text(reader, 14, cancellationToken),
            };
            rows.Add(row);
            if (row.CorrelationId is { } orderId && await Value<long>(reader, 15, cancellationToken) is { } earlier)
            {
                heldElsewhere[orderId] = earlier;
            }
        }

        return (rows, heldElsewhere);
    }

    // Rows locked by another instance are skipped by the claim but seen by the plain read in "held", in the same snapshot.
    private const string ClaimStatement = """
        WITH claimed AS (
            SELECT * FROM outbox_messages WHERE due_at <= @now ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED),
        held AS (
            SELECT o.correlation_id, min(o.id) AS first_id FROM outbox_messages o
            WHERE o.due_at <= @now
              AND o.id < (SELECT max(id) FROM claimed)
              AND o.correlation_id IN (SELECT correlation_id FROM claimed)
              AND o.id NOT IN (SELECT id FROM claimed)
            GROUP BY o.correlation_id)
        SELECT c.id, c.message_id, c.message_type, c.destination_address, c.body, c.headers, c.conversation_id, c.correlation_id,
               c.initiator_id, c.source_address, c.schedule_token_id, c.created_at, c.due_at, c.attempts, c.last_error, h.first_id
        FROM claimed c LEFT JOIN held h ON h.correlation_id = c.correlation_id
        ORDER BY c.id
        """;

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task<T?> Value<T>(DbDataReader reader, int ordinal, CancellationToken cancellationToken)
        where T : struct =>
        await reader.IsDBNullAsync(ordinal, cancellationToken) ? null : await reader.GetFieldValueAsync<T>(ordinal, cancellationToken);

    private static async Task<string?> Text(DbDataReader reader, int ordinal, CancellationToken cancellationToken) =>
        await reader.IsDBNullAsync(ordinal, cancellationToken) ? null : reader.GetString(ordinal);

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
