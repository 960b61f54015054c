using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Persistence.Payments;

/// <summary>What became of a provider's event.</summary>
public enum ProviderEventOutcome
{
    /// <summary>The order's workflow was told.</summary>
    Applied,

    /// <summary>Seen before (a provider's retry): nothing was done again.</summary>
    Duplicate,

    /// <summary>An event the engine would act on, about a payment no order of this engine made.</summary>
    NoMatchingOrder,

    /// <summary>Recorded as seen; nothing to tell any order.</summary>
    Acknowledged,
}

public sealed record ProviderEventResult(string EventId, ProviderEventOutcome Outcome);

/// <summary>
/// Applies a verified provider notification once per event id: the messages it causes go through the outbox in the
/// same transaction as the record that the event was seen, so a redelivery finds the record and changes nothing.
/// </summary>
public sealed partial class ApplyProviderEvent(WorkflowDbContext db, UnitOfWork unitOfWork, TimeProvider time, ILogger<ApplyProviderEvent> logger)
{
    public async Task<ProviderEventResult> Handle(PaymentNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (await ProviderEventLog.Seen(db, notification.Provider, notification.EventId, cancellationToken))
        {
            return new ProviderEventResult(notification.EventId, ProviderEventOutcome.Duplicate);
        }

        var orderId = notification.OrderId;
        if (orderId is null && notification.PaymentId is { } paymentId)
        {
            orderId = await db.PaymentLedger.AsNoTracking().Where(r => r.Provider == notification.Provider && r.ProviderId == paymentId)
                .Select(r => (Guid?)r.OrderId).FirstOrDefaultAsync(cancellationToken);
        }

        if (notification.Kind == PaymentNotificationKind.Disputed)
        {
            LogDispute(logger, notification.Provider, orderId, notification.PaymentId, notification.Reason);
        }

        var told = orderId is { } order && notification.PublishTo(new Outbox(unitOfWork), order);
        db.ProviderEvents.Add(new ProviderEvent
        {
            Provider = notification.Provider, EventId = notification.EventId, EventType = notification.EventType, OrderId = orderId,
            ReceivedAt = time.GetUtcNow(),
        });
        if (!await ProviderEventLog.CommitOnce(db, unitOfWork, notification.Provider, notification.EventId, cancellationToken))
        {
            return new ProviderEventResult(notification.EventId, ProviderEventOutcome.Duplicate);
        }

        if (told)
        {
            return new ProviderEventResult(notification.EventId, ProviderEventOutcome.Applied);
        }

        return new ProviderEventResult(notification.EventId, orderId is null && notification.Kind != PaymentNotificationKind.Ignored
            ? ProviderEventOutcome.NoMatchingOrder
            : ProviderEventOutcome.Acknowledged);
    }

    /// <summary>The unit of work as the notification publishes: each message with its own static type.</summary>
    private sealed class Outbox(UnitOfWork unitOfWork) : IOutboxPublisher
    {
        public Guid Publish<T>(T message)
            where T : class => unitOfWork.Publish(message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} reports a dispute for order {OrderId} (payment {PaymentId}): {Detail}. Answer it in the provider's dashboard.")]
    private static partial void LogDispute(ILogger logger, string provider, Guid? orderId, string? paymentId, string? detail);
}
