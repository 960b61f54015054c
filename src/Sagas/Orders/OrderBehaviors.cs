using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using MassTransit;

namespace Grocery.Workflows.Sagas.Orders;

internal static class OrderBehaviors
{
    /// <summary>The capture of what was picked, on the order's authorization.</summary>
    public static CapturePayment Capture(OrderState order) =>
        new(order.CorrelationId, order.PaymentProvider, order.PaymentToken, order.AuthorizationId!, new Money(order.PickedTotal!.Value, order.Currency));

    /// <summary>Takes the order as placed: its slot was held and its stock reserved at checkout.</summary>
    public static void Accept(this OrderState order, OrderSubmitted submitted)
    {
        order.CustomerId = submitted.CustomerId;
        order.StoreId = submitted.StoreId;
        order.SlotId = submitted.SlotId;
        order.Currency = submitted.Currency;
        order.Lines = [.. submitted.Lines];
        order.PaymentProvider = submitted.Payment.Provider;
        order.PaymentToken = submitted.Payment.Token;
        order.SubstitutionPreference = submitted.SubstitutionPreference;
        order.SubmittedAt = submitted.SubmittedAt;
        order.EstimatedTotal = OrderPricing.Total(submitted.Lines);
        order.SlotReservationId = submitted.Slot.ReservationId;
        order.WindowStart = submitted.Slot.WindowStart;
        order.WindowEnd = submitted.Slot.WindowEnd;
        order.StockReservationRequested = true;
    }

    public static EventActivityBinder<OrderState, T> RequestPicking<T>(this EventActivityBinder<OrderState, T> binder)
        where T : class =>
        binder
            .Then(ctx => ctx.Saga.PickingRequested = true)
            .Publish(ctx => new StartPicking(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.Lines, ctx.Saga.SubstitutionPreference));

    /// <summary>Takes what was picked: settle the stock, charge the picked total, or reject an order with nothing left.</summary>
    public static EventActivityBinder<OrderState, PickingCompleted> CompletePicking(
        this EventActivityBinder<OrderState, PickingCompleted> binder, OrderStateMachine machine) =>
        binder
            .Then(ctx =>
            {
                ctx.Saga.PickedLines = [.. ctx.Message.Lines];
                ctx.Saga.PickedTotal = OrderPricing.Total(ctx.Message.Lines);
            })
            .Publish(ctx => new CommitPickedStock(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.PickedLines.ToStockLines()))
            .IfElse(ctx => ctx.Saga.PickedTotal > 0,
                charge => charge
                    .Publish(ctx => Capture(ctx.Saga))
                    .TransitionTo(machine.AwaitingCapture),
                nothing => nothing
                    .Then(ctx => ctx.Saga.PickingRequested = false)
                    .ReleaseHeldResources()
                    .PublishRejection(OrderRejectionReason.NothingToDeliver, _ => "Every line was short and refunded")
                    .TransitionTo(machine.Rejected));

    public static EventActivityBinder<OrderState, T> CompleteDelivery<T>(this EventActivityBinder<OrderState, T> binder, OrderStateMachine machine)
        where T : class =>
        binder
            .Publish(ctx => new OrderCompleted(ctx.Saga.CorrelationId, new Money(ctx.Saga.CapturedAmount, ctx.Saga.Currency)))
            .TransitionTo(machine.Completed);

    /// <summary>
    /// Undo in reverse order of acquisition: picking, payment authorization, stock, slot. Each undo is sent only
    /// when its step was taken and not already undone by the other side; every undo is idempotent at its receiver.
    /// </summary>
    public static EventActivityBinder<OrderState, T> ReleaseHeldResources<T>(this EventActivityBinder<OrderState, T> binder)
        where T : class =>
        binder.ThenAsync(async ctx =>
        {
            var order = ctx.Saga;
            if (order.PickingRequested)
            {
                await ctx.Publish(new CancelPicking(order.CorrelationId));
            }

            if (order.AuthorizationId is { } authorizationId)
            {
                await ctx.Publish(new VoidPaymentAuthorization(order.CorrelationId, order.PaymentProvider, authorizationId));
            }

            if (order.PickedTotal is not null)
            {
                // The reservation was settled when picking completed; what left the shelf goes back.
                if (order.PickedLines.Count > 0)
                {
                    await ctx.Publish(new ReturnStock(order.CorrelationId, order.StoreId, order.PickedLines.ToStockLines()));
                }
            }
            else if (order.StockReservationRequested)
            {
                await ctx.Publish(new ReleaseStock(order.CorrelationId, order.StoreId));
            }

            if (!order.SlotHoldEnded)
            {
                await ctx.Publish(new ReleaseSlot(order.CorrelationId, order.SlotReservationId));
            }
        });

    public static EventActivityBinder<OrderState, T> PublishRejection<T>(
        this EventActivityBinder<OrderState, T> binder,
        OrderRejectionReason reason,
        Func<BehaviorContext<OrderState, T>, string> detail)
        where T : class =>
        binder
            .Then(ctx => ctx.Saga.EndReason = reason.ToString())
            .Publish(ctx => new OrderRejected(ctx.Saga.CorrelationId, reason, detail(ctx)));

    public static IReadOnlyList<StockLine> ToStockLines(this IEnumerable<PickedLine> lines) =>
        [.. lines.Where(l => l.PickedQuantity > 0).Select(l => new StockLine(l.Sku, l.PickedQuantity))];

    public static string Describe<T>(this Fault<T> fault) =>
        fault.Exceptions is [var first, ..] ? $"{first.ExceptionType}: {first.Message}" : "The command faulted";
}
