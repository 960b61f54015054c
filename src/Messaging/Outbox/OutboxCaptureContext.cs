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
/// <see cref="InlineSteps"/> is not sent at all: a consumer step runs at once, a saga step once the transition that
/// sent it has finished (<see cref="ApplySagaSteps"/>), both in this transaction. Saga steps run only on a message's
/// first attempt: a retry (a conflict, a deadlock, a step that failed) sends them the normal way, so a step that fails
/// fails on its own endpoint and never holds up the transition that sent it.
/// </summary>
internal sealed class OutboxCaptureContext<TMessage>(
    ConsumeContext<TMessage> context,
    OutboxConsumeOptions options,
    IServiceProvider provider,
    MessagingDbContext db,
    TimeProvider time,
    InlineSteps.Scoped inline,
    bool sagaStepsAllowed) :
    OutboxConsumeContextProxy<TMessage>(context, options, provider), IOutboxScheduleCapture
    where TMessage : class
{
    private Queue<(InlineStep Step, object Message, Uri? Endpoint)>? _sagaSteps;
    private int _sagaStepsTaken;

    /// <summary>The endpoint of the saga whose step is being applied inline, which would have received its message.</summary>
    private Uri? _stepEndpoint;

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
        if (due == now && inline.Find(context.Message) is { } step)
        {
            // A short step of this engine's own: applied in this transaction; nothing travels.
            if (!step.IsSaga)
            {
                return inline.Apply(step, this, context.Message);
            }

            if (sagaStepsAllowed && _sagaStepsTaken < InlineSteps.MaxSagaStepsPerMessage)
            {
                _sagaStepsTaken++;
                _sagaSteps ??= new Queue<(InlineStep Step, object Message, Uri? Endpoint)>();
                _sagaSteps.Enqueue((step, context.Message, inline.EndpointOf(step)));
                return Task.CompletedTask;
            }
        }

        // A saga schedules to the endpoint its message came in on. A step applied inline came in on this one (the
        // sender's): its deadlines go to the saga's own endpoint, where it would have received the message, or else
        // they reach an endpoint that has no consumer for them and are skipped (a substitution round never timed out).
        var destination = context.DestinationAddress ?? throw new InvalidOperationException("An outbox message needs a destination");
        if (_stepEndpoint is not null && context.ScheduledMessageId is not null && destination == ReceiveContext.InputAddress)
        {
            destination = _stepEndpoint;
        }

        db.Outbox.Add(new OutboxMessage
        {
            MessageId = context.MessageId ?? NewId.NextGuid(),
            MessageType = OutboxMessageTypes.NameOf(context.Message.GetType()),
            DestinationAddress = destination.ToString(),
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

    /// <summary>
    /// Applies the saga steps the transition asked for, one after another, and those that they ask for in turn (up to
    /// <see cref="InlineSteps.MaxSagaStepsPerMessage"/>); each sees every change before it, saved in this transaction.
    /// </summary>
    public async Task ApplySagaSteps()
    {
        while (_sagaSteps is { Count: > 0 })
        {
            var (step, message, endpoint) = _sagaSteps.Dequeue();
            _stepEndpoint = endpoint;
            try
            {
                await inline.Apply(step, this, message);
            }
            finally
            {
                _stepEndpoint = null;
            }
        }
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
