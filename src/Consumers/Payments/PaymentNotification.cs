using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// A verified provider notification (a webhook), in the engine's terms. <see cref="OrderId"/> is known when the provider
/// echoes it; otherwise the payment id (<see cref="PaymentId"/>) finds the order through the ledger.
/// </summary>
public sealed record PaymentNotification(
    string Provider,
    string EventId,
    string EventType,
    PaymentNotificationKind Kind,
    Guid? OrderId,
    string? PaymentId,
    string? Reason = null,
    Money? Amount = null,
    DateTimeOffset? HoldExpiresAt = null)
{
    /// <summary>Tells the order's workflow what happened, each message as its own type; false when there is nothing to tell.</summary>
    public bool PublishTo(IOutboxPublisher outbox, Guid orderId)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        switch (Kind)
        {
            case PaymentNotificationKind.Declined:
                outbox.Publish(new PaymentDeclined(orderId, Reason ?? "declined"));
                return true;
            case PaymentNotificationKind.AuthorizationCancelled when PaymentId is not null:
                outbox.Publish(new PaymentAuthorizationLapsed(orderId, Provider, PaymentId, Reason ?? "cancelled by the provider"));
                return true;
            case PaymentNotificationKind.Approved or PaymentNotificationKind.ApprovalRefused when PaymentId is not null && Amount is not null:
                outbox.Publish(new PaymentApprovalReported(orderId, Provider, PaymentId, Kind == PaymentNotificationKind.Approved, Amount, HoldExpiresAt, Reason));
                return true;
            case PaymentNotificationKind.Refunded when PaymentId is not null && Amount is not null:
                outbox.Publish(new PaymentRefundReported(orderId, Provider, PaymentId, $"{EventId}", Amount));
                return true;
            default:
                return false;
        }
    }
}
