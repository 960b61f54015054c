using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Persistence.Substitutions;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Api.Limits;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Orders;

/// <summary>An order taken: its delivery slot is held for it until <paramref name="SlotHeldUntil"/>, unless confirmed first.</summary>
/// <param name="OrderId">The order; follow it at <c>GET /api/orders/{orderId}</c>.</param>
/// <param name="State">What it is called until its saga's first state.</param>
/// <param name="SlotHeldUntil">When the slot hold taken at checkout lapses if payment has not confirmed the order by then.</param>
public sealed record OrderAccepted(Guid OrderId, string State, DateTimeOffset SlotHeldUntil);

public sealed record OrderSummary(Guid OrderId, string State, string StoreId, string CustomerId, long EstimatedTotal, string Currency, DateTimeOffset SubmittedAt);

public sealed record OrderPage(IReadOnlyList<OrderSummary> Items, string? NextCursor);

/// <summary>Which orders to list: each given part narrows it; <c>Stores</c> is a caller's store limit; <c>From</c>/<c>To</c> bound the acceptance time.</summary>
public sealed record OrderQuery(string? State = null, string? CustomerId = null, string? StoreId = null, IReadOnlyList<string>? Stores = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? BeforeTicks = null);

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
    IReadOnlyList<TimelineEntry> Timeline)
{
    /// <summary>Where it goes (the phone masked unless the customer's own storefront asks).</summary>
    public DeliveryView? Delivery { get; init; }

    /// <summary>The couriers booked, one per attempt, as their providers last reported them.</summary>
    public IReadOnlyList<CourierBookingView> Couriers { get; init; } = [];

    /// <summary>What the customer was told.</summary>
    public IReadOnlyList<NotificationView> Notifications { get; init; } = [];
}

/// <summary>The storefront's orders: place (idempotent), follow, cancel, answer substitutions.</summary>
public static class OrderEndpoints
{
    /// <summary>What an order is called between its 202 and the order saga's first state.</summary>
    public const string SubmittedState = PlaceOrderHandler.SubmittedState;

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
        HttpRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, PlaceOrderHandler place,
        CustomerOrderLimiter customerLimit, CancellationToken cancellationToken)
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
        var order = PlaceOrderRequest.Validate(body.Bind<PlaceOrderRequest>(), errors);
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

        // The customer's order limit is taken by the command once the order is new and placeable: the customer is known
        // only from the body, and a replay or a refused order is not an order.
        ProblemHttpResult? tooMany = null;
        var placed = await place.Handle(
            new PlaceOrderCommand(idempotencyKey, order, Admit: () =>
            {
                tooMany = customerLimit.Take(request.HttpContext, order.CustomerId);
                return tooMany is null;
            }),
            cancellationToken);
        return placed.Outcome switch
        {
            PlaceOrderOutcome.Accepted or PlaceOrderOutcome.Replayed =>
                TypedResults.Accepted($"/api/orders/{placed.OrderId}", new OrderAccepted(placed.OrderId, SubmittedState, placed.SlotHeldUntil)),
            PlaceOrderOutcome.NotAdmitted => tooMany!,
            _ => placed.Refused!.ToProblem(),
        };
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

        // A customer's token sees that customer's orders; a store-limited one those of its stores.
        var caller = Caller.Of(context);
        return TypedResults.Ok(await Search(db, new OrderQuery(State: state, CustomerId: caller.Customer, Stores: caller.Stores?.ToList(),
            BeforeTicks: cursor is null ? null : afterTicks), take, cancellationToken));
    }

    /// <summary>
    /// Orders matching the query, newest first, <paramref name="take"/> a page; the next page's cursor is the last
    /// one's acceptance time in ticks. The API's list and the ops console's search both read here.
    /// </summary>
    public static async Task<OrderPage> Search(WorkflowDbContext db, OrderQuery query, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        // Every order has its request row from the 202 on; the saga's state once it has taken over.
        var orders = from r in db.OrderRequests.AsNoTracking()
                     join o in db.Set<OrderState>().AsNoTracking() on r.OrderId equals o.CorrelationId into sagas
                     from o in sagas.DefaultIfEmpty()
                     select new { Request = r, State = o == null ? SubmittedState : o.CurrentState };
        if (!string.IsNullOrWhiteSpace(query.State))
        {
            orders = orders.Where(o => o.State == query.State);
        }

        if (query.CustomerId is { } customer)
        {
            orders = orders.Where(o => o.Request.CustomerId == customer);
        }

        if (query.StoreId is { } store)
        {
            orders = orders.Where(o => o.Request.StoreId == store);
        }

        if (query.Stores is { } stores)
        {
            orders = orders.Where(o => stores.Contains(o.Request.StoreId));
        }

        if (query.From is { } from)
        {
            orders = orders.Where(o => o.Request.CreatedAt >= from);
        }

        if (query.To is { } to)
        {
            orders = orders.Where(o => o.Request.CreatedAt < to);
        }

        if (query.BeforeTicks is { } ticks)
        {
            var before = new DateTimeOffset(ticks, TimeSpan.Zero);
            orders = orders.Where(o => o.Request.CreatedAt < before);
        }

        var page = await orders.OrderByDescending(o => o.Request.CreatedAt).Take(take + 1)
            .Select(o => new OrderSummary(o.Request.OrderId, o.State, o.Request.StoreId, o.Request.CustomerId, o.Request.EstimatedTotal,
                o.Request.Currency, o.Request.CreatedAt))
            .ToListAsync(cancellationToken);
        var items = page.Take(take).ToList();
        return new OrderPage(items, page.Count > take ? items[^1].SubmittedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Get(
        Guid orderId, HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (await Refuse(Caller.Of(context), orderId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        // The whole phone is the customer's own: their storefront sees it, operators see its last digits.
        var caller = Caller.Of(context);
        var wholePhone = caller.Is(GroceryRoles.Storefront);
        return await Load(orderId, db, cancellationToken, wholePhone) is { } view ? TypedResults.Ok(view) : Problems.NotFound("Order", $"There is no order {orderId}.");
    }

    /// <summary>The order as the API and the ops console show it; null when there is no such order.</summary>
    public static async Task<OrderView?> Load(Guid orderId, WorkflowDbContext db, CancellationToken cancellationToken, bool wholePhone = false)
    {
        var view = await LoadOrder(orderId, db, cancellationToken);
        if (view is null)
        {
            return null;
        }

        var delivery = await OrderDelivery.Load(orderId, db, wholePhone, cancellationToken);
        return view with { Delivery = delivery.Delivery, Couriers = delivery.Couriers, Notifications = delivery.Notifications };
    }

    private static async Task<OrderView?> LoadOrder(Guid orderId, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var order = await db.Set<OrderState>().AsNoTracking().SingleOrDefaultAsync(o => o.CorrelationId == orderId, cancellationToken);
        var timeline = await db.Timeline.AsNoTracking().Where(t => t.OrderId == orderId).OrderBy(t => t.Id)
            .Select(t => new TimelineEntry(t.SagaType, t.FromState, t.ToState, t.Event, t.At)).ToListAsync(cancellationToken);
        if (order is null)
        {
            var request = await db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, cancellationToken);
            return request is null ? null : await Submitted(request, timeline, db, cancellationToken);
        }

        var ledger = await db.PaymentLedger.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var payment = new PaymentPosition([.. ledger.Select(EfPaymentLedger.ToEntry)]);
        var authorization = order.AuthorizationId is { } authorizationId ? payment.Authorization(authorizationId) : null;
        return new OrderView(order.CorrelationId, order.CurrentState, order.EndReason, order.StoreId, order.CustomerId, order.SlotId,
            order.WindowStart, order.WindowEnd, order.SubstitutionPreference.ToString(), order.Lines, order.PickedLines,
            new Totals(order.Currency, order.EstimatedTotal, order.AuthorizedAmount, order.PickedTotal, order.CapturedAmount, order.RefundedAmount),
            new PaymentView(order.PaymentProvider, order.AuthorizationId, authorization?.Amount.Amount ?? 0, payment.Held, order.CaptureId, payment.Captured,
                payment.Refunded, payment.PendingApprovalUrl, [.. ledger.Select(r => new PaymentLedgerLine(r.Kind.ToString(), r.ProviderId, r.ParentId, r.Amount, r.Currency, r.At,
                    r.HoldExpiresAt, r.Note))]),
            timeline);
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
        Guid orderId, HttpRequest request, WorkflowDbContext db, CancelOrderHandler cancel, AuditTrail audit, CancellationToken cancellationToken)
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
            var (given, problem) = CancelOrderRequest.Validate(body.Bind<CancelOrderRequest>());
            if (problem is not null)
            {
                return problem;
            }

            reason = given ?? reason;
        }

        var refusal = await CancelFor(request.HttpContext, orderId, reason, db, cancel, audit, cancellationToken);
        return refusal is null
            ? TypedResults.Accepted($"/api/orders/{orderId}", new { orderId, requested = "cancel", note = "Honoured until picking starts; follow the order's state." })
            : refusal;
    }

    /// <summary>
    /// Asks to cancel the order for the caller of <paramref name="context"/>, as the API and the ops console both do:
    /// an operator's cancel is audited, with its refusals; null when the cancel was asked for.
    /// </summary>
    public static async Task<ProblemHttpResult?> CancelFor(HttpContext context, Guid orderId, string reason, WorkflowDbContext db, CancelOrderHandler cancel,
        AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(cancel);
        // An operator's cancel is audited; a customer's cancel of their own order (a token with a customer claim, or
        // the storefront acting for one) is not an operator's action.
        var caller = Caller.Of(context);
        var audited = caller.Is(GroceryRoles.Ops) && caller.Customer is null
            ? Audited.Action(context, AuditActions.OrderCancel, orderId.ToString(), parameters: new JsonObject { ["reason"] = reason })
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

        var cancelled = await cancel.Handle(new CancelOrderCommand(orderId, reason, audited), cancellationToken);
        return cancelled.Refused is not null ? await Refused(cancelled.Refused.ToProblem()) : null;

        async Task<ProblemHttpResult> Refused(ProblemHttpResult problem) =>
            audited is null ? problem : await audit.Refused(audited, problem, cancellationToken);
    }

    private static async Task<IResult> Decide(
        Guid orderId, HttpRequest request, WorkflowDbContext db, DecideSubstitutionsHandler decide, CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var (answers, problem) = DecisionsRequest.Validate(body.Bind<DecisionsRequest>());
        if (problem is not null)
        {
            return problem;
        }

        if (await Refuse(Caller.Of(request.HttpContext), orderId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var decided = await decide.Handle(new DecideSubstitutionsCommand(orderId, answers!), cancellationToken);
        return decided.Refused is not null
            ? decided.Refused.ToProblem()
            : TypedResults.Accepted($"/api/orders/{orderId}", new { orderId, roundId = decided.RoundId, answers = answers!.Count });
    }

    /// <summary>
    /// Null when the caller may see and act on the order (or there is no such order: the handler answers that). A
    /// customer's token gets the same 404 for another customer's order as for none, so ids cannot be probed; an
    /// operator limited to some stores gets 403 for an order of another store.
    /// </summary>
    public static async Task<ProblemHttpResult?> Refuse(Caller caller, Guid orderId, WorkflowDbContext db, CancellationToken cancellationToken)
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
}
