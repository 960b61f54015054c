using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Persistence.Orders;

/// <summary>
/// An accepted POST /api/orders: the order as its client sees it from the 202 on, before the order saga takes over,
/// and its Idempotency-Key, scoped to the customer: the same customer, key and body answer the same order; another
/// body is refused; another customer's key is another order. Written in the same transaction as the outbox row of
/// <c>OrderSubmitted</c>.
/// </summary>
public sealed class OrderRequest
{
    public Guid OrderId { get; set; }
    public string CustomerId { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public string StoreId { get; set; } = "";
    public Guid SlotId { get; set; }
    public string Currency { get; set; } = "";
    public long EstimatedTotal { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
    public string PaymentProvider { get; set; } = "";
    public SubstitutionPreference SubstitutionPreference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Where to deliver; the phone is given to the courier only, never logged and masked for ops.</summary>
    public string DeliveryAddress { get; set; } = "";
    public double DeliveryLatitude { get; set; }
    public double DeliveryLongitude { get; set; }
    public string DeliveryPhone { get; set; } = "";
    public string? DeliveryNotes { get; set; }

    /// <summary>What the customer is told things in: vi or en.</summary>
    public string Language { get; set; } = "";

    public Contracts.Delivery.DeliveryDestination Destination() => new(DeliveryAddress, DeliveryLatitude, DeliveryLongitude, DeliveryPhone, DeliveryNotes);
}
