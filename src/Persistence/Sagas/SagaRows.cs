using Grocery.Workflows.Sagas;

namespace Grocery.Workflows.Persistence.Sagas;

/// <summary>
/// Saga rows by order. A saga with one instance per order (order, picking, delivery) is correlated by the order id
/// itself, and its <c>OrderId</c> is no column; the others store the order id beside their own correlation id.
/// </summary>
public static class SagaRows
{
    public static IQueryable<TState> OfOrder<TState>(IQueryable<TState> rows, WorkflowDbContext db, Guid orderId)
        where TState : class, IGrocerySagaState =>
        ByOrderId<TState>(db) ? rows.Where(s => s.CorrelationId == orderId) : rows.Where(s => s.OrderId == orderId);

    /// <summary>The rows whose order is at one of the stores.</summary>
    public static IQueryable<TState> AtStores<TState>(IQueryable<TState> rows, WorkflowDbContext db, List<string> stores)
        where TState : class, IGrocerySagaState
    {
        ArgumentNullException.ThrowIfNull(db);
        return ByOrderId<TState>(db)
            ? rows.Where(s => db.OrderRequests.Any(r => r.OrderId == s.CorrelationId && stores.Contains(r.StoreId)))
            : rows.Where(s => db.OrderRequests.Any(r => r.OrderId == s.OrderId && stores.Contains(r.StoreId)));
    }

    /// <summary>Whether the saga's correlation id is the order id (its OrderId is not mapped to a column).</summary>
    private static bool ByOrderId<TState>(WorkflowDbContext db)
        where TState : class =>
        db.Model.FindEntityType(typeof(TState))?.FindProperty(nameof(IGrocerySagaState.OrderId)) is null;
}
