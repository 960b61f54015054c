using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Consumers.Delivery;

/// <summary>Asks the provider what the order's delivery costs when picking ends; the saga keeps the answer.</summary>
public sealed class QuoteDeliveryConsumer(CourierGateways couriers, ICourierBookings bookings) : IConsumer<QuoteDelivery>
{
    public async Task Consume(ConsumeContext<QuoteDelivery> context)
    {
        var m = context.Message;
        if (couriers.Primary is not { } provider)
        {
            return;
        }

        var job = await bookings.Job(m.OrderId, 1, context.CancellationToken);
        var quote = job is null ? CourierQuote.Refused("The order is not known here.") : await provider.Quote(job, context.CancellationToken);
        await context.Publish(new DeliveryQuoted(m.OrderId, provider.Provider, quote.Fee, quote.EstimatedDropOff, quote.Refusal));
    }
}

/// <summary>
/// Books the courier of an attempt with the provider, or with the store's fleet when the saga asks for it. A booking
/// already recorded for the attempt (a resend, a redelivery) is not made twice; a refusal goes back to the saga.
/// </summary>
public sealed class DispatchCourierConsumer(CourierGateways couriers, ICourierBookings bookings, TimeProvider time) : IConsumer<DispatchCourier>
{
    public async Task Consume(ConsumeContext<DispatchCourier> context)
    {
        var m = context.Message;
        var gateway = m.StoreFleet ? couriers.StoreFleet : couriers.Primary;
        if (gateway is null)
        {
            await context.Publish(new CourierDispatchRefused(m.OrderId, m.Attempt,
                m.StoreFleet ? "No store fleet is configured (Couriers:Fallback)." : "No courier provider is configured (Couriers:Provider)."));
            return;
        }

        if (await bookings.Find(m.OrderId, m.Attempt, context.CancellationToken) is not null)
        {
            return;
        }

        var job = await bookings.Job(m.OrderId, m.Attempt, context.CancellationToken)
            ?? throw new InvalidOperationException($"Order {m.OrderId} has no order request or delivery saga here; its courier cannot be booked.");
        var retry = context.GetRetryAttempt() > 0 || context.GetRedeliveryCount() > 0 || context.ReceiveContext.Redelivered;
        var booking = await gateway.Book(job, retry, context.CancellationToken);
        if (!booking.Succeeded)
        {
            await context.Publish(new CourierDispatchRefused(m.OrderId, m.Attempt, booking.Refusal!));
            return;
        }

        await bookings.Booked(new CourierBookingRecord(m.OrderId, m.Attempt, gateway.Provider, booking.DeliveryId!, booking.TrackingUrl,
            booking.Fee?.Amount, booking.Fee?.Currency, time.GetUtcNow()), context.CancellationToken);
    }
}

/// <summary>Cancels an attempt's booking at its provider (a no-show, a superseded or unwanted booking, a cancelled delivery).</summary>
public sealed partial class CancelCourierDispatchConsumer(CourierGateways couriers, ICourierBookings bookings, ILogger<CancelCourierDispatchConsumer> logger)
    : IConsumer<CancelCourierDispatch>
{
    public async Task Consume(ConsumeContext<CancelCourierDispatch> context)
    {
        var m = context.Message;
        // None for an attempt that was refused, or run by the simulator's couriers.
        if (await bookings.Find(m.OrderId, m.Attempt, context.CancellationToken) is not { } booking)
        {
            return;
        }

        if (couriers.For(booking.Provider) is not { } gateway)
        {
            LogNoGateway(logger, booking.Provider, m.OrderId, m.Attempt);
            return;
        }

        await bookings.CancelledByEngine(m.OrderId, m.Attempt, context.CancellationToken);
        if (!await gateway.Cancel(booking.DeliveryId, context.CancellationToken))
        {
            LogNotCancelled(logger, booking.Provider, booking.DeliveryId, m.OrderId, m.Attempt);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Booking {Attempt} of order {OrderId} was made with {Provider}, which is no longer configured: cancel it there by hand.")]
    private static partial void LogNoGateway(ILogger logger, string provider, Guid orderId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} would not cancel delivery {DeliveryId} (order {OrderId}, attempt {Attempt}): it is picked up or over.")]
    private static partial void LogNotCancelled(ILogger logger, string provider, string deliveryId, Guid orderId, int attempt);
}
