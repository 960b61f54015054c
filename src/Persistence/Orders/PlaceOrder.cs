using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Telemetry;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Slots;
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

/// <summary>What placing an order gave; an accepted or replayed order's slot is held until <paramref name="SlotHeldUntil"/>.</summary>
public sealed record PlaceOrderResult(PlaceOrderOutcome Outcome, Guid OrderId, Refusal? Refused = null, DateTimeOffset SlotHeldUntil = default);

/// <summary>
/// Places an order: idempotent per customer and key, checked against store, slot, payment provider and catalogue; then,
/// in one transaction, the slot hold taken through the slot store, every line's stock reserved, the request row written
/// and <see cref="OrderSubmitted"/> with <see cref="SlotHoldTaken"/> put in the outbox. A full slot or a short line
/// refuses the order with nothing kept; the slot reservation saga owns the hold from its commit on.
/// </summary>
public sealed class PlaceOrderHandler(
    WorkflowDbContext db,
    UnitOfWork unitOfWork,
    PaymentGateways gateways,
    ISlotCapacity slots,
    IStockLedger stock,
    SlotReservationSettings slotSettings,
    TimeProvider time)
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

        var (resolved, refusal) = await Resolve(order, cancellationToken);
        if (refusal is not null)
        {
            return new PlaceOrderResult(PlaceOrderOutcome.Refused, Guid.Empty, refusal);
        }

        if (!command.Admit())
        {
            return new PlaceOrderResult(PlaceOrderOutcome.NotAdmitted, Guid.Empty);
        }

        var attempt = new HoldAttempt(MassTransit.NewId.NextGuid(), resolved!.Slot.SlotId);
        Written written;
        try
        {
            written = await unitOfWork.InTransactionAsync(token => Write(command, resolved, attempt, hash, token), keep: w => w.Refusal is null, cancellationToken);
        }
        catch (DbUpdateException)
        {
            await attempt.Abandon(slots);
            // The same key raced in from another request: answer as that one was answered.
            var winner = await Find(order.CustomerId, command.IdempotencyKey, cancellationToken);
            return winner is null ? throw new InvalidOperationException("The order request could not be saved.") : Answer(winner, hash);
        }
        catch
        {
            await attempt.Abandon(slots);
            throw;
        }

        if (written.Refusal is not null)
        {
            // The transaction rolled back; what the slot store took outside it goes back too.
            await attempt.Abandon(slots);
            return new PlaceOrderResult(PlaceOrderOutcome.Refused, Guid.Empty, written.Refusal);
        }

        return new PlaceOrderResult(PlaceOrderOutcome.Accepted, written.Order!.OrderId, SlotHeldUntil: written.Order.Slot.ExpiresAt);
    }

    /// <summary>
    /// The order's writes, in its transaction: the slot hold first (a full slot is the rush's common answer, and the
    /// slot store refuses it without touching stock), then the stock of every line, then the request and its messages.
    /// A refusal is returned, and the transaction rolls back.
    /// </summary>
    private async Task<Written> Write(PlaceOrderCommand command, ResolvedOrder order, HoldAttempt attempt, string hash, CancellationToken cancellationToken)
    {
        var orderId = MassTransit.NewId.NextGuid();
        var (store, slot) = (order.Store, order.Slot);
        var held = await slots.Hold(orderId, attempt.ReservationId, store.StoreId, slot.SlotId, cancellationToken);
        WorkflowMetrics.SlotBookingAttempts.WithLabels(store.StoreId).Inc();
        if (!held.Held)
        {
            return new Written(null, Refusal.Unprocessable("Slot full", $"Slot {slot.SlotId} cannot be held: {held.Reason}. Choose another one."));
        }

        attempt.Taken = true;
        WorkflowMetrics.SlotBookingSuccesses.WithLabels(store.StoreId).Inc();
        var shortSkus = await stock.Reserve(orderId, store.StoreId, StockLine.Of(order.Lines), cancellationToken);
        if (shortSkus.Count > 0)
        {
            return new Written(null, Refusal.Unprocessable("Out of stock",
                $"Store '{store.StoreId}' has not enough stock of {string.Join(", ", shortSkus)}; order less or choose another product."));
        }

        var now = order.At;
        var hold = new HeldSlot(attempt.ReservationId, held.WindowStart, held.WindowEnd, held.CutOffAt, now + slotSettings.HoldDuration);
        var placing = command.Order;
        var submitted = new OrderSubmitted(orderId, placing.CustomerId, store.StoreId, slot.SlotId, store.Currency, order.Lines,
            new PaymentMethod(placing.PaymentProvider, placing.PaymentToken), placing.SubstitutionPreference, now, hold);
        db.OrderRequests.Add(new OrderRequest
        {
            OrderId = orderId, CustomerId = submitted.CustomerId, IdempotencyKey = command.IdempotencyKey, RequestHash = hash,
            StoreId = submitted.StoreId, SlotId = submitted.SlotId, Currency = submitted.Currency, EstimatedTotal = OrderPricing.Total(submitted.Lines),
            Lines = [.. submitted.Lines], PaymentProvider = submitted.Payment.Provider, SubstitutionPreference = submitted.SubstitutionPreference,
            CreatedAt = now, DeliveryAddress = placing.Delivery.Address, DeliveryLatitude = placing.Delivery.Latitude,
            DeliveryLongitude = placing.Delivery.Longitude, DeliveryPhone = placing.Delivery.Phone, DeliveryNotes = placing.Delivery.Notes,
            Language = placing.Language ?? Consumers.Notifications.NotificationTexts.DefaultFor(store.Currency),
        });
        unitOfWork.Publish(new SlotHoldTaken(orderId, hold, store.StoreId, slot.SlotId));
        unitOfWork.Publish(submitted);
        return new Written(submitted, null);
    }

    private Task<OrderRequest?> Find(string customerId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.CustomerId == customerId && r.IdempotencyKey == idempotencyKey, cancellationToken);

    /// <summary>A replay answers as the first request was answered: its hold lapses a hold's duration after it was placed.</summary>
    private PlaceOrderResult Answer(OrderRequest existing, string hash) =>
        existing.RequestHash == hash
            ? new PlaceOrderResult(PlaceOrderOutcome.Replayed, existing.OrderId, SlotHeldUntil: existing.CreatedAt + slotSettings.HoldDuration)
            : new PlaceOrderResult(PlaceOrderOutcome.Refused, existing.OrderId, Refusal.Unprocessable("Idempotency-Key already used",
                $"The Idempotency-Key was used for order {existing.OrderId} with a different body; use a new key for a new order."));

    /// <summary>The lookups: store, slot of that store still bookable, every SKU known and its quantity fit for its unit.</summary>
    private async Task<(ResolvedOrder? Order, Refusal? Refusal)> Resolve(OrderToPlace order, CancellationToken cancellationToken)
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

        if (await gateways.Check(order.PaymentProvider, new OrderPayment(order.PaymentToken, store.StoreId, store.Currency, order.CustomerId), cancellationToken) is { } refusal)
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

        return (new ResolvedOrder(store, slot, lines, now), null);
    }

    /// <summary>What the look-ups found: the store, its slot and the priced lines, as of <paramref name="At"/>.</summary>
    private sealed record ResolvedOrder(Store Store, DeliverySlot Slot, IReadOnlyList<OrderLine> Lines, DateTimeOffset At);

    /// <summary>A hold being taken: given back when the transaction that took it does not commit.</summary>
    private sealed class HoldAttempt(Guid reservationId, Guid slotId)
    {
        public Guid ReservationId { get; } = reservationId;

        public bool Taken { get; set; }

        public Task Abandon(ISlotCapacity slots) => Taken ? slots.Abandon(ReservationId, slotId) : Task.CompletedTask;
    }

    /// <summary>What the transaction wrote: the order, or the refusal that rolled it back.</summary>
    private sealed record Written(OrderSubmitted? Order, Refusal? Refusal);
}
