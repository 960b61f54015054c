using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Orders;

/// <summary>
/// An order to place under the customer's Idempotency-Key. <c>Admit</c> is asked once the order is known to be new and
/// placeable, just before it is written: false leaves it unplaced. The per-customer rate limit goes there, since a
/// replay or a refused order is not an order.
/// </summary>
public sealed record PlaceOrderCommand(string IdempotencyKey, OrderToPlace Order, Func<bool> Admit);

public enum PlaceOrderOutcome
{
    Accepted,

    /// <summary>The customer's Idempotency-Key was used before with the same body: that order is the answer.</summary>
    Replayed,

    /// <summary><see cref="PlaceOrderCommand.Admit"/> said no.</summary>
    NotAdmitted,
    Refused,
}

public sealed record PlaceOrderResult(PlaceOrderOutcome Outcome, Guid OrderId, Refusal? Refused = null);

/// <summary>
/// Places an order: idempotent per customer and key, checked against store, slot, payment provider and catalogue,
/// then its request row and <see cref="OrderSubmitted"/> committed together.
/// </summary>
public sealed class PlaceOrderHandler(WorkflowDbContext db, UnitOfWork unitOfWork, PaymentGateways gateways, TimeProvider time)
{
    /// <summary>What an order is called between its 202 and the order saga's first state.</summary>
    public const string SubmittedState = "Submitted";

    public async Task<PlaceOrderResult> Handle(PlaceOrderCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var order = command.Order;
        var hash = order.Hash();
        var existing = await Find(order.CustomerId, command.IdempotencyKey, cancellationToken);
        if (existing is not null)
        {
            return Answer(existing, hash);
        }

        var (submitted, refusal) = await Resolve(order, cancellationToken);
        if (refusal is not null)
        {
            return new PlaceOrderResult(PlaceOrderOutcome.Refused, Guid.Empty, refusal);
        }

        if (!command.Admit())
        {
            return new PlaceOrderResult(PlaceOrderOutcome.NotAdmitted, Guid.Empty);
        }

        db.OrderRequests.Add(new OrderRequest
        {
            OrderId = submitted!.OrderId, CustomerId = submitted.CustomerId, IdempotencyKey = command.IdempotencyKey, RequestHash = hash,
            StoreId = submitted.StoreId, SlotId = submitted.SlotId, Currency = submitted.Currency, EstimatedTotal = OrderPricing.Total(submitted.Lines),
            Lines = [.. submitted.Lines], PaymentProvider = submitted.Payment.Provider, SubstitutionPreference = submitted.SubstitutionPreference,
            CreatedAt = submitted.SubmittedAt,
        });
        unitOfWork.Publish(submitted);
        try
        {
            await unitOfWork.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same key raced in from another request: answer as that one was answered.
            var winner = await Find(order.CustomerId, command.IdempotencyKey, cancellationToken);
            return winner is null ? throw new InvalidOperationException("The order request could not be saved.") : Answer(winner, hash);
        }

        return new PlaceOrderResult(PlaceOrderOutcome.Accepted, submitted.OrderId);
    }

    private Task<OrderRequest?> Find(string customerId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.CustomerId == customerId && r.IdempotencyKey == idempotencyKey, cancellationToken);

    private static PlaceOrderResult Answer(OrderRequest existing, string hash) =>
        existing.RequestHash == hash
            ? new PlaceOrderResult(PlaceOrderOutcome.Replayed, existing.OrderId)
            : new PlaceOrderResult(PlaceOrderOutcome.Refused, existing.OrderId, Refusal.Unprocessable("Idempotency-Key already used",
                $"The Idempotency-Key was used for order {existing.OrderId} with a different body; use a new key for a new order."));

    /// <summary>The lookups: store, slot of that store still bookable, every SKU known and its quantity fit for its unit.</summary>
    private async Task<(OrderSubmitted? Order, Refusal? Refusal)> Resolve(OrderToPlace order, CancellationToken cancellationToken)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == order.StoreId, cancellationToken);
        if (store is null)
        {
            return (null, Refusal.Unprocessable("Unknown store", $"There is no store '{order.StoreId}'. See GET /api/stores."));
        }

        var slot = await db.DeliverySlots.AsNoTracking().SingleOrDefaultAsync(s => s.SlotId == order.SlotId, cancellationToken);
        if (slot is null || slot.StoreId != store.StoreId)
        {
            return (null, Refusal.Unprocessable("Unknown slot", $"Store '{store.StoreId}' has no slot {order.SlotId}. See GET /api/slots."));
        }

        var now = time.GetUtcNow();
        if (now >= slot.CutOffAt)
        {
            return (null, Refusal.Unprocessable("Slot closed", $"Bookings for slot {order.SlotId} closed at {slot.CutOffAt:u}."));
        }

        if (slot.Held + slot.Confirmed >= slot.Capacity)
        {
            return (null, Refusal.Unprocessable("Slot full", $"Slot {order.SlotId} is full; choose another one."));
        }

        if (!gateways.Has(order.PaymentProvider))
        {
            return (null, Refusal.Unprocessable("Unknown payment provider", gateways.NotOffered(order.PaymentProvider)));
        }

        if (await gateways.Check(order.PaymentProvider, new OrderPayment(order.PaymentToken, store.StoreId, store.Currency), cancellationToken) is { } refusal)
        {
            return (null, Refusal.Unprocessable(refusal.Title, refusal.Detail));
        }

        var skus = order.Lines.Select(l => l.Sku).ToList();
        var products = await db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku)).ToDictionaryAsync(p => p.Sku, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var lines = new List<OrderLine>();
        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            if (!products.TryGetValue(line.Sku, out var product))
            {
                errors[$"lines[{i}].sku"] = [$"There is no product '{line.Sku}'."];
                continue;
            }

            if (OrderToPlace.QuantityProblem(product.Unit, line.Quantity) is { } quantityProblem)
            {
                errors[$"lines[{i}].quantity"] = [$"lines[{i}].quantity of '{line.Sku}' {quantityProblem}."];
                continue;
            }

            lines.Add(new OrderLine(product.Sku, product.Name, product.Unit, line.Quantity, CatalogPricing.PriceAt(store, product)));
        }

        if (errors.Count > 0)
        {
            return (null, new Refusal(RefusalKind.Unprocessable, "The order cannot be placed", string.Join(" ", errors.SelectMany(e => e.Value)), errors));
        }

        return (new OrderSubmitted(MassTransit.NewId.NextGuid(), order.CustomerId, store.StoreId, slot.SlotId, store.Currency, lines,
            new PaymentMethod(order.PaymentProvider, order.PaymentToken), order.SubstitutionPreference, now), null);
    }
}
