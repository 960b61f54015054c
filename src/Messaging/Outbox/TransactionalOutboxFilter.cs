using System.Diagnostics;
using Grocery.Workflows.Messaging.Inbox;
using Grocery.Workflows.Messaging.Telemetry;
using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// One database transaction per consumed message: record the message id in the inbox (a redelivery stops here),
/// run the consumer or saga with publishes captured as outbox rows (or applied here, for <see cref="InlineSteps"/>),
/// save, commit, wake the dispatcher. A failure anywhere rolls everything back: no state change, no outbox row, no
/// timeline row, no inbox row, so the retry or the redelivery starts clean.
/// </summary>
public sealed class TransactionalOutboxFilter<TMessage>(IConsumeScopeProvider scopes, string consumer) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    private readonly OutboxConsumeOptions _options = new() { ConsumerId = NewId.NextGuid(), ConsumerType = consumer };

    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var messageId = context.MessageId ?? throw new InvalidOperationException($"{typeof(TMessage).Name} has no MessageId; the inbox needs one.");

        await using var scope = await scopes.GetScope(context);
        // Every log line and span of the message carries its order.
        var orderId = OutboxMessageTypes.OrderIdOf(context.Message);
        Activity.Current?.SetTag(GroceryTelemetry.OrderIdTag, orderId);
        using var logScope = orderId is null ? null : scope.GetService<ILoggerFactory>().CreateLogger(consumer).BeginScope(GroceryTelemetry.OrderScope(orderId.Value));
        var db = scope.GetService<MessagingDbContext>();
        var time = scope.GetService<TimeProvider>();
        using var gate = await scope.GetService<WriteGate>().Enter(context.CancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        if (!await InboxRecord.TryAdd(db, messageId, consumer, time.GetUtcNow(), context.CancellationToken))
        {
            // Already applied in an earlier, committed delivery: acknowledge as consumed and do nothing.
            await context.NotifyConsumed(context, TimeSpan.Zero, consumer);
            return;
        }

        var services = scope.GetService<IServiceProvider>();
        var firstAttempt = context.GetRetryAttempt() == 0 && context.GetRedeliveryCount() == 0 && !context.ReceiveContext.Redelivered;
        var outbox = new OutboxCaptureContext<TMessage>(scope.Context, _options, services, db, time, scope.GetService<InlineSteps>().In(services), firstAttempt);
        await next.Send(outbox);
        await outbox.ConsumeCompleted;
        await outbox.ApplySagaSteps();
        await outbox.ConsumeCompleted;

        await db.SaveChangesAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        db.MessageCommitted();

        if (outbox.Captured > 0)
        {
            scope.GetService<OutboxSignal>().Notify();
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("transactional-outbox");
}
