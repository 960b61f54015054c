using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>What a consume context inside the transactional outbox can do besides capture: take back a scheduled row.</summary>
internal interface IOutboxScheduleCapture
{
    /// <summary>Deletes the not yet delivered rows scheduled with this token, committed or added in this transaction.</summary>
    Task Unschedule(Guid tokenId, CancellationToken cancellationToken);
}

/// <summary>
/// The message scheduler every consumer and saga sees: scheduling is a send with a delay, which the outbox turns into a
/// row with a due time; cancelling deletes that row in the same transaction, so an unscheduled deadline never fires.
/// </summary>
internal sealed class OutboxScheduleMessageProvider(ConsumeContext context) : IScheduleMessageProvider
{
    private readonly DelayedScheduleMessageProvider _delayed = new(context);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class => _delayed.ScheduleSend(destinationAddress, scheduledTime, message, pipe, cancellationToken);

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) =>
        context is IOutboxScheduleCapture outbox ? outbox.Unschedule(tokenId, cancellationToken) : Task.CompletedTask;

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) =>
        CancelScheduledSend(tokenId, cancellationToken);
}

/// <summary>Puts the outbox scheduler on every consume context (MassTransit's outbox proxy rebinds it to itself).</summary>
internal sealed class OutboxSchedulerFilter : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("outboxMessageScheduler");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context,
            consume => new MessageScheduler(new OutboxScheduleMessageProvider(consume), consume.GetPayload<IBusTopology>())));
        return next.Send(context);
    }
}
