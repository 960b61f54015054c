using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;

namespace Grocery.Workflows.Consumers.Payments;

public enum PaymentNotificationKind
{
    /// <summary>Nothing the engine acts on (acknowledged, recorded as seen).</summary>
    Ignored,

    /// <summary>The customer's payment method refused the authorization.</summary>
    Declined,

    /// <summary>The customer approved an authorization in the provider's app: the amount is held.</summary>
    Approved,

    /// <summary>The customer (or the wallet) refused an authorization asked in the provider's app.</summary>
    ApprovalRefused,

    /// <summary>The provider cancelled a hold (lapsed, cancelled outside the engine, or by the engine itself).</summary>
    AuthorizationCancelled,

    /// <summary>The refunds of a capture now total <see cref="PaymentNotification.Amount"/>.</summary>
    Refunded,

    /// <summary>The customer disputes a charge: a person must answer it in the provider's dashboard.</summary>
    Disputed,
}

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
    /// <summary>What the order's workflow is told.</summary>
    public IReadOnlyList<object> ToMessages(Guid orderId) => Kind switch
    {
        PaymentNotificationKind.Declined => [new PaymentDeclined(orderId, Reason ?? "declined")],
        PaymentNotificationKind.AuthorizationCancelled when PaymentId is not null =>
            [new PaymentAuthorizationLapsed(orderId, Provider, PaymentId, Reason ?? "cancelled by the provider")],
        PaymentNotificationKind.Approved or PaymentNotificationKind.ApprovalRefused when PaymentId is not null && Amount is not null =>
            [new PaymentApprovalReported(orderId, Provider, PaymentId, Kind == PaymentNotificationKind.Approved, Amount, HoldExpiresAt, Reason)],
        PaymentNotificationKind.Refunded when PaymentId is not null && Amount is not null =>
            [new PaymentRefundReported(orderId, Provider, PaymentId, $"{EventId}", Amount)],
        _ => [],
    };
}

/// <summary>A notification that is not from the provider (unsigned, wrongly signed, stale) or not readable.</summary>
public sealed class PaymentNotificationRejectedException(string message) : Exception(message);
