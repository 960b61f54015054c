namespace Grocery.Workflows.Persistence.Orders;

/// <summary>
/// An accepted POST /api/orders, by its Idempotency-Key: the same key with the same body answers the same order;
/// with another body it is refused. Written in the same transaction as the outbox row of <c>OrderSubmitted</c>.
/// </summary>
public sealed class OrderRequest
{
    public string IdempotencyKey { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public Guid OrderId { get; set; }
    public string StoreId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
