using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Slots;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>The orders the durable-state tests check out: two litres of milk and 1.2 kg of bananas, paid in the sandbox.</summary>
public static class TestOrders
{
    /// <summary>An order's slot before checkout holds it (<see cref="WorkflowTestHost.Checkout"/> fills it in).</summary>
    public static readonly HeldSlot NotYetHeld = new(Guid.Empty, default, default, default, default);

    public static OrderSubmitted Submitted(Guid orderId, string storeId, Guid slotId) => new(orderId, "cust-1", storeId, slotId, "VND",
    [
        new OrderLine("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 25_000),
        new OrderLine("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 30_000),
    ], new PaymentMethod("sandbox", "tok_success"), SubstitutionPreference.Accept, DateTimeOffset.UtcNow, NotYetHeld);
}
