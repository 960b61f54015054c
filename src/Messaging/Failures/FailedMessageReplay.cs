using System.Text.Json;
using Grocery.Workflows.Messaging.Outbox;
using MassTransit;
using MassTransit.Middleware;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Messaging.Failures;

public static class FailedMessages
{
    /// <summary>
    /// The endpoint's error pipe: generate the <c>Fault&lt;T&gt;</c>, record the message in <c>failed_messages</c>, move it
    /// to the error queue (MassTransit's two default steps, with the record in between).
    /// </summary>
    public static void RecordFailures(this IReceiveEndpointConfigurator endpoint, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var filter = new RecordFailedMessageFilter(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<WriteGate>(), services.GetRequiredService<TimeProvider>());
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(filter);
            error.UseFilter(new ErrorTransportFilter());
        });
    }

    /// <summary>
    /// How long a replay counts as under way when it has neither been consumed nor failed again: longer than the whole
    /// retry budget of a message, after which the replay is taken as lost and the failure may be replayed again.
    /// </summary>
    public static readonly TimeSpan ReplayUnderWay = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Why a failure may not be replayed now, or null when it may: it failed again since (the newer failure is the one
    /// to replay), or its replay is still under way; or its order has ended (a replay
    /// would call a payment provider or move stock for an order nobody waits for; <paramref name="force"/> overrides
    /// only this one).
    /// </summary>
    public static async Task<string?> WhyNotReplay(MessagingDbContext db, FailedMessage failed, bool force, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(failed);
        if (failed.MessageId is { } messageId
            && await db.FailedMessages.Where(f => f.MessageId == messageId && f.InputAddress == failed.InputAddress && f.Id > failed.Id)
                .Select(f => (long?)f.Id).MaxAsync(cancellationToken) is { } newer)
        {
            return $"Message {messageId} failed again after this failure was replayed; replay failure {newer} instead.";
        }

        // A replay that was consumed leaves no row to look at (the consumer's inbox drops a later copy anyway); one
        // still on its way is refused here, so that it is never sent twice at once.
        if (failed.ReplayedAt is { } replayed && now - replayed < ReplayUnderWay)
        {
            return $"Failed message {failed.Id} is being replayed since {replayed:u} and has not failed again; follow it in /api/failures.";
        }

        if (!force && failed.OrderId is { } orderId)
        {
            var state = await db.Set<OrderState>().AsNoTracking().Where(o => o.CorrelationId == orderId).Select(o => o.CurrentState)
                .SingleOrDefaultAsync(cancellationToken);
            if (state is not null && SagaCatalog.Order.RestingStates.Contains(state))
            {
                return $"Order {orderId} has ended ({state}): a replay would act for an order nobody waits for. Add ?force=true to replay it all the same.";
            }
        }

        return null;
    }

    /// <summary>
    /// Sends a failed message back to the queue it failed on, through the outbox (it leaves when this transaction
    /// commits). It keeps its message id: if an earlier replay already succeeded, the consumer's inbox drops it.
    /// </summary>
    public static bool Replay(MessagingDbContext db, FailedMessage failed, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(failed);
        var type = ClrType(failed.MessageType);
        if (type is null)
        {
            return false;
        }

        using var envelope = JsonDocument.Parse(failed.Body);
        if (!envelope.RootElement.TryGetProperty("message", out var message))
        {
            return false;
        }

        var now = time.GetUtcNow();
        db.Outbox.Add(new OutboxMessage
        {
            MessageId = failed.MessageId ?? NewId.NextGuid(),
            MessageType = OutboxMessageTypes.NameOf(type),
            DestinationAddress = failed.InputAddress,
            Body = message.GetRawText(),
            CreatedAt = now,
            DueAt = now,
        });
        failed.ReplayedAt = now;
        failed.ReplayCount++;
        return true;
    }

    /// <summary><c>urn:message:Grocery.Workflows.Contracts.Stock:ReleaseStock</c> to the contract type, when it is one of ours.</summary>
    internal static Type? ClrType(string urn)
    {
        const string prefix = "urn:message:";
        if (!urn.StartsWith(prefix, StringComparison.Ordinal) || urn.Contains('[', StringComparison.Ordinal))
        {
            return null;
        }

        var name = urn[prefix.Length..].Replace(':', '.');
        return typeof(Contracts.Money).Assembly.GetType(name);
    }
}
