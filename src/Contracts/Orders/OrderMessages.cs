using Grocery.Workflows.Contracts.Slots;

namespace Grocery.Workflows.Contracts.Orders;

/// <summary>How the customer pays.</summary>
/// <param name="Provider">Payment provider: <c>sandbox</c>, <c>stripe</c> or <c>momo</c>.</param>
/// <param name="Token">Provider token or payment method id (e.g. <c>pm_...</c>).</param>
public sealed record PaymentMethod(string Provider, string Token);

/// <summary>The storefront accepted an order; starts the order saga.</summary>
/// <param name="OrderId">The order's id; correlates the order saga.</param>
/// <param name="CustomerId">Who ordered.</param>
/// <param name="StoreId">The store that picks the order.</param>
/// <param name="SlotId">The delivery slot the customer chose.</param>
/// <param name="Currency">ISO 4217 currency of every price in the order.</param>
/// <param name="Lines">Ordered lines with prices.</param>
/// <param name="Payment">How the customer pays.</param>
/// <param name="SubstitutionPreference">What to do with short items when the customer is silent.</param>
/// <param name="SubmittedAt">When the storefront accepted the order.</param>
/// <param name="Slot">The delivery slot held for the order at checkout (the slot reservation saga owns it).</param>
public sealed record OrderSubmitted(
    Guid OrderId,
    string CustomerId,
    string StoreId,
    Guid SlotId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    PaymentMethod Payment,
    SubstitutionPreference SubstitutionPreference,
    DateTimeOffset SubmittedAt,
    HeldSlot Slot);

/// <summary>The customer (or ops) asks to cancel an order. Honoured only before picking starts.</summary>
/// <param name="OrderId">The order to cancel.</param>
/// <param name="Reason">Why, in the requester's words.</param>
public sealed record CancelOrder(Guid OrderId, string Reason);

/// <summary>
/// From ops: one saga instance of an order sends again the command it is waiting on, built from its own data, so the
/// receiver sees the same idempotency key or attempt as the first time. An instance in any other state ignores it.
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="Saga">The saga's name (Order, Picking, SubstitutionApproval, DeliveryHandoff).</param>
/// <param name="SagaId">The instance's correlation id.</param>
public sealed record ResendPendingCommand(Guid OrderId, string Saga, Guid SagaId);

/// <summary>Slot held, stock reserved, payment authorized and slot confirmed: the order will be picked.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="SlotId">The confirmed delivery slot.</param>
/// <param name="Authorized">The amount authorized on the customer's payment method.</param>
public sealed record OrderConfirmed(Guid OrderId, Guid SlotId, Money Authorized);

/// <summary>Why an order was rejected.</summary>
public enum OrderRejectionReason
{
    /// <summary>The slot hold expired before the order was confirmed.</summary>
    SlotHoldExpired,

    /// <summary>The slot's cut-off passed before the order could be confirmed.</summary>
    SlotCutOffPassed,

    /// <summary>The payment provider declined the authorization.</summary>
    PaymentDeclined,

    /// <summary>The authorization failed technically (after retries).</summary>
    PaymentFailed,

    /// <summary>Capturing the picked total failed.</summary>
    CaptureFailed,

    /// <summary>Every line was short and refunded: there is nothing to deliver or charge.</summary>
    NothingToDeliver,
}

/// <summary>The order ended without delivery; everything it held has been released.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">Why.</param>
/// <param name="Detail">A human-readable detail (provider message, short SKUs).</param>
public sealed record OrderRejected(Guid OrderId, OrderRejectionReason Reason, string Detail);

/// <summary>The order was cancelled at the customer's request; its holds are being released.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">The reason given with <see cref="CancelOrder"/>.</param>
public sealed record OrderCancelled(Guid OrderId, string Reason);

/// <summary>A cancellation arrived after picking started (or after the order ended) and was refused.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="State">The order's state when the request arrived.</param>
public sealed record OrderCancellationRefused(Guid OrderId, string State);

/// <summary>The parcel left the store with a courier (the customer is told, with the tracking link).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier who has it.</param>
public sealed record OrderOutForDelivery(Guid OrderId, string CourierId);

/// <summary>The order was delivered and paid.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Captured">The amount captured for the picked lines.</param>
public sealed record OrderCompleted(Guid OrderId, Money Captured);

/// <summary>Delivery failed after payment was captured; the captured amount was refunded.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Refunded">The amount refunded.</param>
/// <param name="Reason">Why delivery failed.</param>
public sealed record OrderRefunded(Guid OrderId, Money Refunded, string Reason);

/// <summary>Scheduled by the order saga: the time to start picking before the delivery window has come.</summary>
/// <param name="OrderId">The order.</param>
public sealed record PickingDue(Guid OrderId);
