using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// The consume context a transition sees inside <see cref="TransactionalOutboxFilter{TMessage}"/>: every publish,
/// send and schedule is turned into an <see cref="OutboxMessage"/> row in the message's DbContext instead of going
/// to the transport. Delivery is the dispatcher's job, after the transaction commits. A command of
/// <see cref="InlineSteps"/> is not sent at all: its consumer runs here, in this transaction.
/// </summary>
internal sealed class OutboxCaptureContext<TMessage>(
    ConsumeContext<TMessage> context,
    OutboxConsumeOptions options,
    IServiceProvider provider,
    MessagingDbContext db,
    TimeProvider time,
    InlineSteps.Scoped inline) :
    OutboxConsumeContextProxy<TMessage>(context, options, provider), IOutboxScheduleCapture
    where TMessage : class
{
    public int Captured { get; private set; }

    public DateTimeOffset? EarliestDue { get; private set; }

    // The multi-pass protocol of MassTransit's own outbox filter is not used: this filter consumes and records in
    // one transaction and the dispatcher delivers.
    public override bool ContinueProcessing { get; set; }
    public override bool IsMessageConsumed => false;
    public override bool IsOutboxDelivered => false;
    public override int ReceiveCount => 0;
    public override long? LastSequenceNumber => null;
    public override Task SetConsumed() => Task.CompletedTask;
    public override Task SetDelivered() => Task.CompletedTask;
    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());
    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;
    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override Task AddSend<T>(SendContext<T> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        var due = context.Delay is { } delay && delay > TimeSpan.Zero ? now + delay : now;
        if (due == now && inline.TryApply(this, context.Message) is { } applied)
        {
            // A short step of this engine's own: applied here, in this transaction; nothing travels.
            return applied;
        }

        db.Outbox.Add(new OutboxMessage
        {
            MessageId = context.MessageId ?? NewId.NextGuid(),
            MessageType = OutboxMessageTypes.NameOf(context.Message.GetType()),
            DestinationAddress = (context.DestinationAddress ?? throw new InvalidOperationException("An outbox message needs a destination")).ToString(),
            Body = JsonSerializer.Serialize(context.Message, context.Message.GetType(), OutboxMessageTypes.Json),
            Headers = OutboxMessageTypes.SerializeHeaders(context.Headers, Activity.Current),
            ConversationId = context.ConversationId,
            CorrelationId = OutboxMessageTypes.OrderIdOf(context.Message) ?? context.CorrelationId,
            InitiatorId = context.InitiatorId,
            SourceAddress = context.SourceAddress?.ToString(),
            ScheduleTokenId = context.ScheduledMessageId,
            CreatedAt = now,
            DueAt = due,
        });
        Captured++;
        if (EarliestDue is null || due < EarliestDue)
        {
            EarliestDue = due;
        }

        return Task.CompletedTask;
    }

    public async Task Unschedule(Guid tokenId, CancellationToken cancellationToken)
    {
        foreach (var added in db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added && e.Entity.ScheduleTokenId == tokenId).ToList())
        {
            added.State = EntityState.Detached;
        }

        await db.Outbox.Where(x => x.ScheduleTokenId == tokenId).ExecuteDeleteAsync(cancellationToken);
    }
}
