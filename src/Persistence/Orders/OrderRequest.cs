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
}
