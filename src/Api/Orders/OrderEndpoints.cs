using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Substitutions;
using Grocery.Workflows.Api.Limits;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.FeatureManagement;

namespace Grocery.Workflows.Api.Orders;

public sealed record OrderAccepted(Guid OrderId, string State);

public sealed record OrderSummary(Guid OrderId, string State, string StoreId, string CustomerId, long EstimatedTotal, string Currency, DateTimeOffset SubmittedAt);

public sealed record OrderPage(IReadOnlyList<OrderSummary> Items, string? NextCursor);

public sealed record Totals(string Currency, long Estimated, long Authorized, long? Picked, long Captured, long Refunded);

/// <summary>One line of the order's payment ledger.</summary>
public sealed record PaymentLedgerLine(string Kind, string ProviderId, string? ParentId, long Amount, string Currency, DateTimeOffset At,
    DateTimeOffset? HoldExpiresAt, string? Note);

/// <summary>
/// The order's payment from its ledger: the current authorization and its amount, what is still held, captured and
/// refunded, where the customer approves a payment that waits for them (an e-wallet's page), and every line with the
/// provider's ids.
/// </summary>
public sealed record PaymentView(string Provider, string? AuthorizationId, long Authorized, long Held, string? CaptureId, long Captured, long Refunded,
    string? ApprovalUrl, IReadOnlyList<PaymentLedgerLine> Ledger);

public sealed record TimelineEntry(string Saga, string From, string To, string Event, DateTimeOffset At);

public sealed record OrderView(
    Guid OrderId,
    string State,
    string? EndReason,
    string StoreId,
    string CustomerId,
    Guid SlotId,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd,
    string SubstitutionPreference,
    IReadOnlyList<OrderLine> Lines,
    IReadOnlyList<PickedLine> PickedLines,
    Totals Totals,
    PaymentView Payment,
    IReadOnlyList<TimelineEntry> Timeline);

public sealed record CancelRequest(string? Reason);

/// <summary>The storefront's orders: place (idempotent), follow, cancel, answer substitutions.</summary>
public static class OrderEndpoints
{
    /// <summary>What an order is called between its 202 and the order saga's first state.</summary>
    public const string SubmittedState = "Submitted";

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders");
        orders.MapPost("/", Place).RequireAuthorization(GroceryPolicies.Storefront)
            .WithSummary("Place an order. The Idempotency-Key header is required: the same customer, key and body answer the same order.")
            .WithBodyLimit(RequestLimits.OrderBody).WithRateLimit(RateLimits.OrdersPerClient);
        orders.MapGet("/", List).RequireAuthorization(GroceryPolicies.StorefrontOrOps).WithSummary("Orders, newest first, optionally in one state; keyset paging.");
        orders.MapGet("/{orderId:guid}", Get).RequireAuthorization(GroceryPolicies.StorefrontOrOps).WithSummary("An order: state, lines ordered and picked, totals, payment, and the timeline of all five sagas.");
        orders.MapPost("/{orderId:guid}/cancel", Cancel).RequireAuthorization(GroceryPolicies.StorefrontOrOps).WithBodyLimit(RequestLimits.SmallBody)
            .Accepts<CancelRequest>(isOptional: true, "application/json")
            .WithSummary("Ask to cancel; honoured until picking starts (409 from then on, and for an order that has ended).");
        orders.MapPost("/{orderId:guid}/substitutions/decisions", Decide).RequireAuthorization(GroceryPolicies.Storefront).WithBodyLimit(RequestLimits.SmallBody)
            .WithSummary("The customer's approve/reject per short line.");
        return app;
    }

    private static async Task<IResult> Place(
        HttpRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        WorkflowDbContext db, PaymentGateways gateways, IFeatureManager features, OutboxWriter outbox, OutboxSignal signal, WriteGate gate,
        CustomerOrderLimiter customerLimit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 128 || Problems.IsNotPlainText(idempotencyKey))
        {
            return Problems.Invalid("Idempotency-Key", "The Idempotency-Key header is required: 1 to 128 printable characters, one per order.");
        }

        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var errors = new Dictionary<string, string[]>();
        var order = PlaceOrderRequest.Parse(body.Json, errors);
        if (order is null)
        {
            return Problems.Invalid(errors);
        }

        var caller = Caller.Of(request.HttpContext);
        if (!caller.MayActFor(order.CustomerId))
        {
            return Refusals.Customer();
        }

        if (!caller.MayActAt(order.StoreId))
        {
            return Refusals.Store();
        }

        var hash = Hash(order);
        var existing = await db.OrderRequests.AsNoTracking()
            .SingleOrDefaultAsync(r => r.CustomerId == order.CustomerId && r.IdempotencyKey == idempotencyKey, cancellationToken);
        if (existing is not null)
        {
            return Replay(existing, hash);
        }

        var (submitted, problem) = await Resolve(order, db, gateways, features, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // Counted here: the customer is known only from the body, and a replay or a refused order is not an order.
        if (customerLimit.Take(request.HttpContext, order.CustomerId) is { } tooMany)
        {
            return tooMany;
        }

        // On SQLite the engine's consumers write back to back; queueing with them is fairer than SQLite's busy retry,
        // which left a request waiting 30 s and failing under load.
        using var writer = await gate.Enter(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.OrderRequests.Add(new OrderRequest
        {
            OrderId = submitted!.OrderId, CustomerId = submitted.CustomerId, IdempotencyKey = idempotencyKey, RequestHash = hash,
            StoreId = submitted.StoreId, SlotId = submitted.SlotId, Currency = submitted.Currency, EstimatedTotal = OrderPricing.Total(submitted.Lines),
            Lines = [.. submitted.Lines], PaymentProvider = submitted.Payment.Provider, SubstitutionPreference = submitted.SubstitutionPreference,
            CreatedAt = submitted.SubmittedAt,
        });
        outbox.Publish(submitted);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same key raced in from another request: answer as that one was answered.
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            var winner = await db.OrderRequests.AsNoTracking()
                .SingleOrDefaultAsync(r => r.CustomerId == order.CustomerId && r.IdempotencyKey == idempotencyKey, cancellationToken);
            return winner is null ? throw new InvalidOperationException("The order request could not be saved.") : Replay(winner, hash);
        }

        signal.Notify();
        return TypedResults.Accepted($"/api/orders/{submitted.OrderId}", new OrderAccepted(submitted.OrderId, SubmittedState));
    }

    private static IResult Replay(OrderRequest existing, string hash) =>
        existing.RequestHash == hash
            ? TypedResults.Accepted($"/api/orders/{existing.OrderId}", new OrderAccepted(existing.OrderId, SubmittedState))
            : Problems.Unprocessable("Idempotency-Key already used",
                $"The Idempotency-Key was used for order {existing.OrderId} with a different body; use a new key for a new order.");

    /// <summary>The lookups: store, slot of that store still bookable, every SKU known and its quantity fit for its unit.</summary>
    private static async Task<(OrderSubmitted? Order, IResult? Problem)> Resolve(
        PlaceOrderRequest order, WorkflowDbContext db, PaymentGateways gateways, IFeatureManager features, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == order.StoreId, cancellationToken);
        if (store is null)
        {
            return (null, Problems.Unprocessable("Unknown store", $"There is no store '{order.StoreId}'. See GET /api/stores."));
        }

        var slot = await db.DeliverySlots.AsNoTracking().SingleOrDefaultAsync(s => s.SlotId == order.SlotId, cancellationToken);
        if (slot is null || slot.StoreId != store.StoreId)
        {
            return (null, Problems.Unprocessable("Unknown slot", $"Store '{store.StoreId}' has no slot {order.SlotId}. See GET /api/slots."));
        }

        var now = time.GetUtcNow();
        if (now >= slot.CutOffAt)
        {
            return (null, Problems.Unprocessable("Slot closed", $"Bookings for slot {order.SlotId} closed at {slot.CutOffAt:u}."));
        }

        if (slot.Held + slot.Confirmed >= slot.Capacity)
        {
            return (null, Problems.Unprocessable("Slot full", $"Slot {order.SlotId} is full; choose another one."));
        }

        if (!gateways.Has(order.PaymentProvider))
        {
            return (null, Problems.Unprocessable("Unknown payment provider",
                gateways.Providers.Count == 0
                    ? "No payment provider is configured here (Payments:Sandbox, Stripe:ApiKey, MoMo:PartnerCode)."
                    : $"Payment provider '{order.PaymentProvider}' is not available here; this engine takes {string.Join(", ", gateways.Providers.Select(p => $"\"{p}\""))}."));
        }

        if (order.PaymentProvider == "momo" && !await features.IsEnabledAsync(GroceryFeatures.MoMoPayments))
        {
            return (null, Problems.Unprocessable("Payment provider switched off",
                "MoMo payments are switched off for now (feature MoMoPayments); choose another payment provider."));
        }

        if (order.PaymentProvider == "stripe" && !order.PaymentToken.StartsWith("pm_", StringComparison.Ordinal))
        {
            return (null, Problems.Unprocessable("Invalid payment token", "A Stripe payment.token is a PaymentMethod id (pm_...)."));
        }

        if (order.PaymentProvider == "momo" && (order.PaymentToken != "wallet" || store.Currency != "VND"))
        {
            return (null, Problems.Unprocessable("Invalid payment", order.PaymentToken != "wallet"
                ? "A MoMo payment.token is \"wallet\": the customer approves the payment in the MoMo app."
                : $"MoMo takes VND; store '{store.StoreId}' sells in {store.Currency}."));
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

            if (PlaceOrderRequest.QuantityProblem(product.Unit, line.Quantity) is { } quantityProblem)
            {
                errors[$"lines[{i}].quantity"] = [$"lines[{i}].quantity of '{line.Sku}' {quantityProblem}."];
                continue;
            }

            lines.Add(new OrderLine(product.Sku, product.Name, product.Unit, line.Quantity, CatalogPricing.PriceAt(store, product)));
        }

        if (errors.Count > 0)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The order cannot be placed",
                detail: string.Join(" ", errors.SelectMany(e => e.Value)), extensions: new Dictionary<string, object?> { ["errors"] = errors }));
        }

        return (new OrderSubmitted(MassTransit.NewId.NextGuid(), order.CustomerId, store.StoreId, slot.SlotId, store.Currency, lines,
            new PaymentMethod(order.PaymentProvider, order.PaymentToken), order.SubstitutionPreference, now), null);
    }

    private static async Task<Results<Ok<OrderPage>, ProblemHttpResult>> List(
        string? state, int? limit, string? cursor, HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (!Problems.TryLimit(limit, 50, 500, out var take, out var problem))
        {
            return problem!;
        }

        long afterTicks = 0;
        if (cursor is not null && (!long.TryParse(cursor, System.Globalization.CultureInfo.InvariantCulture, out afterTicks)
            || afterTicks < 0 || afterTicks > DateTimeOffset.MaxValue.UtcTicks))
        {
            return Problems.Invalid("cursor", "cursor must be the nextCursor of an earlier page.");
        }

        // Every order has its request row from the 202 on; the saga's state once it has taken over.
        var orders = from r in db.OrderRequests.AsNoTracking()
                     join o in db.Set<OrderState>().AsNoTracking() on r.OrderId equals o.CorrelationId into sagas
                     from o in sagas.DefaultIfEmpty()
                     select new { Request = r, State = o == null ? SubmittedState : o.CurrentState };
        if (!string.IsNullOrWhiteSpace(state))
        {
            orders = orders.Where(o => o.State == state);
        }

        // A customer's token sees that customer's orders; a store-limited one those of its stores.
        var caller = Caller.Of(context);
        if (caller.Customer is { } customer)
        {
            orders = orders.Where(o => o.Request.CustomerId == customer);
        }

        if (caller.Stores is { } stores)
        {
            var storeIds = stores.ToList();
            orders = orders.Where(o => storeIds.Contains(o.Request.StoreId));
        }

        if (cursor is not null)
        {
            var after = new DateTimeOffset(afterTicks, TimeSpan.Zero);
            orders = orders.Where(o => o.Request.CreatedAt < after);
        }

        var page = await orders.OrderByDescending(o => o.Request.CreatedAt).Take(take + 1)
            .Select(o => new OrderSummary(o.Request.OrderId, o.State, o.Request.StoreId, o.Request.CustomerId, o.Request.EstimatedTotal,
                o.Request.Currency, o.Request.CreatedAt))
            .ToListAsync(cancellationToken);
        var items = page.Take(take).ToList();
        return TypedResults.Ok(new OrderPage(items,
            page.Count > take ? items[^1].SubmittedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Get(
        Guid orderId, HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (await Refuse(Caller.Of(context), orderId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var order = await db.Set<OrderState>().AsNoTracking().SingleOrDefaultAsync(o => o.CorrelationId == orderId, cancellationToken);
        var timeline = await db.Timeline.AsNoTracking().Where(t => t.OrderId == orderId).OrderBy(t => t.Id)
            .Select(t => new TimelineEntry(t.SagaType, t.FromState, t.ToState, t.Event, t.At)).ToListAsync(cancellationToken);
        if (order is null)
        {
            var request = await db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, cancellationToken);
            return request is null ? Problems.NotFound("Order", $"There is no order {orderId}.") : TypedResults.Ok(await Submitted(request, timeline, db, cancellationToken));
        }

        var ledger = await db.PaymentLedger.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var payment = new PaymentPosition([.. ledger.Select(EfPaymentLedger.ToEntry)]);
        var authorization = order.AuthorizationId is { } authorizationId ? payment.Authorization(authorizationId) : null;
        return TypedResults.Ok(new OrderView(order.CorrelationId, order.CurrentState, order.EndReason, order.StoreId, order.CustomerId, order.SlotId,
            order.WindowStart, order.WindowEnd, order.SubstitutionPreference.ToString(), order.Lines, order.PickedLines,
            new Totals(order.Currency, order.EstimatedTotal, order.AuthorizedAmount, order.PickedTotal, order.CapturedAmount, order.RefundedAmount),
            new PaymentView(order.PaymentProvider, order.AuthorizationId, authorization?.Amount.Amount ?? 0, payment.Held, order.CaptureId, payment.Captured,
                payment.Refunded, payment.PendingApprovalUrl, [.. ledger.Select(r => new PaymentLedgerLine(r.Kind.ToString(), r.ProviderId, r.ParentId, r.Amount, r.Currency, r.At,
                    r.HoldExpiresAt, r.Note))]),
            timeline));
    }

    /// <summary>An accepted order that its saga has not taken over yet, as it was accepted.</summary>
    private static async Task<OrderView> Submitted(OrderRequest request, IReadOnlyList<TimelineEntry> timeline, WorkflowDbContext db,
        CancellationToken cancellationToken)
    {
        var window = await db.DeliverySlots.AsNoTracking().Where(s => s.SlotId == request.SlotId)
            .Select(s => new { s.WindowStart, s.WindowEnd }).SingleOrDefaultAsync(cancellationToken);
        return new OrderView(request.OrderId, SubmittedState, null, request.StoreId, request.CustomerId, request.SlotId, window?.WindowStart,
            window?.WindowEnd, request.SubstitutionPreference.ToString(), request.Lines, [],
            new Totals(request.Currency, request.EstimatedTotal, 0, null, 0, 0),
            new PaymentView(request.PaymentProvider, null, 0, 0, null, 0, 0, null, []), timeline);
    }

    private static async Task<IResult> Cancel(
        Guid orderId, HttpRequest request, WorkflowDbContext db, OutboxWriter outbox, AuditTrail audit, CancellationToken cancellationToken)
    {
        // Who asked, when the body does not say why: an operator (ops, acting for no customer) or the storefront.
        var asker = Caller.Of(request.HttpContext);
        var reason = asker.Is(GroceryRoles.Ops) && asker.Customer is null ? "Cancelled by an operator" : "Cancelled by the customer";
        var body = await JsonBody.Read(request, cancellationToken, optional: true);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (!body.IsEmpty)
        {
            if (!JsonBody.IsObjectOf(body.Json, "reason"))
            {
                return Problems.Invalid("body", "The body is optional; when sent it is {\"reason\": \"...\"}.");
            }

            if (body.Json.TryGetProperty("reason", out var given))
            {
                if (given.ValueKind != JsonValueKind.String || given.GetString()!.Trim().Length is 0 or > 200 || Problems.IsNotPlainText(given.GetString()!))
                {
                    return Problems.Invalid("reason", "reason must be 1 to 200 characters of plain text.");
                }

                reason = given.GetString()!.Trim();
            }
        }

        // An operator's cancel is audited; a customer's cancel of their own order (a token with a customer claim, or
        // the storefront acting for one) is not an operator's action.
        var caller = Caller.Of(request.HttpContext);
        var audited = caller.Is(GroceryRoles.Ops) && caller.Customer is null
            ? Audited.Action(request.HttpContext, AuditActions.OrderCancel, orderId.ToString(), parameters: new JsonObject { ["reason"] = reason })
            : null;
        var storeId = await db.OrderRequests.Where(r => r.OrderId == orderId).Select(r => r.StoreId).SingleOrDefaultAsync(cancellationToken);
        if (storeId is null)
        {
            return await Refused(Problems.NotFound("Order", $"There is no order {orderId}."));
        }

        audited = audited is null ? null : audited with { StoreId = storeId };
        if (await Refuse(caller, orderId, db, cancellationToken) is { } refused)
        {
            return await Refused(refused);
        }

        // Refused here rather than dropped by the saga: a 202 would tell the customer a cancellation that never happens.
        var state = await db.Set<OrderState>().AsNoTracking().Where(o => o.CorrelationId == orderId).Select(o => o.CurrentState)
            .SingleOrDefaultAsync(cancellationToken) ?? SubmittedState;
        if (SagaCatalog.Order.RestingStates.Contains(state))
        {
            return await Refused(Problems.Conflict("The order has ended", $"Order {orderId} is {state}; there is nothing left to cancel."));
        }

        if (state != SubmittedState && !OrderStateMachine.CancellableStates.Contains(state))
        {
            return await Refused(Problems.Conflict("Too late to cancel", $"Order {orderId} is {state}: a picker has started on it, and an order can be cancelled only until then."));
        }

        if (audited is not null)
        {
            // Saved with the CancelOrder outbox row: one SaveChanges, one transaction.
            audited.Parameters!["state"] = state;
            audit.Record(db, audited, AuditOutcomes.Accepted);
        }

        await outbox.PublishNow(new CancelOrder(orderId, reason), cancellationToken);
        return TypedResults.Accepted($"/api/orders/{orderId}", new { orderId, requested = "cancel", note = "Honoured until picking starts; follow the order's state." });

        async Task<ProblemHttpResult> Refused(ProblemHttpResult problem) =>
            audited is null ? problem : await audit.Refused(audited, problem, cancellationToken);
    }

    private static async Task<IResult> Decide(
        Guid orderId, HttpRequest request, WorkflowDbContext db, OutboxWriter outbox, CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (!JsonBody.IsObjectOf(body.Json, "decisions")
            || !body.Json.TryGetProperty("decisions", out var decisions)
            || decisions.ValueKind != JsonValueKind.Array || decisions.GetArrayLength() is 0 or > PlaceOrderRequest.MaxLines)
        {
            return Problems.Invalid("decisions", "decisions is required: a list of {\"sku\", \"approve\": true|false}.");
        }

        var answers = new List<CustomerAnswer>();
        foreach (var decision in decisions.EnumerateArray())
        {
            if (!JsonBody.IsObjectOf(decision, "sku", "approve")
                || !decision.TryGetProperty("sku", out var sku) || sku.ValueKind != JsonValueKind.String || sku.GetString()!.Length is 0 or > 64
                || Problems.IsNotPlainText(sku.GetString()!)
                || !decision.TryGetProperty("approve", out var approve) || approve.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Problems.Invalid("decisions", "Each decision is {\"sku\": \"...\", \"approve\": true|false}.");
            }

            answers.Add(new CustomerAnswer(sku.GetString()!, approve.GetBoolean()));
        }

        if (await Refuse(Caller.Of(request.HttpContext), orderId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var round = await db.Set<SubstitutionState>().AsNoTracking()
            .Where(s => s.OrderId == orderId && s.CurrentState == "AwaitingCustomerDecision")
            .Select(s => (Guid?)s.CorrelationId).FirstOrDefaultAsync(cancellationToken);
        if (round is null)
        {
            return await db.OrderRequests.AnyAsync(r => r.OrderId == orderId, cancellationToken)
                ? Problems.Conflict("No open substitution question", $"Order {orderId} is not waiting for a substitution decision.")
                : Problems.NotFound("Order", $"There is no order {orderId}.");
        }

        await outbox.PublishNow(new AnswerSubstitutions(orderId, round.Value, answers), cancellationToken);
        return TypedResults.Accepted($"/api/orders/{orderId}", new { orderId, roundId = round.Value, answers = answers.Count });
    }

    /// <summary>
    /// Null when the caller may see and act on the order (or there is no such order: the handler answers that). A
    /// customer's token gets the same 404 for another customer's order as for none, so ids cannot be probed; an
    /// operator limited to some stores gets 403 for an order of another store.
    /// </summary>
    private static async Task<ProblemHttpResult?> Refuse(Caller caller, Guid orderId, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (caller.Customer is null && caller.Stores is null)
        {
            return null;
        }

        var owner = await db.OrderRequests.AsNoTracking().Where(r => r.OrderId == orderId)
            .Select(r => new { r.CustomerId, r.StoreId }).SingleOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return null;
        }

        if (!caller.MayActFor(owner.CustomerId))
        {
            return Problems.NotFound("Order", $"There is no order {orderId}.");
        }

        return caller.MayActAt(owner.StoreId) ? null : Refusals.Store();
    }

    private static string Hash(PlaceOrderRequest order) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(order))));
}
