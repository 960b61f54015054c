using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Consumers;

/// <summary>Endpoint policy of the activities: transient faults and database conflicts are retried with back-off.</summary>
public sealed class GroceryConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public GroceryConsumerDefinition() => ConcurrentMessageLimit = 32;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Failures of the infrastructure are left to the bus's longer retry (see GrocerySagaDefinition).
        var infrastructure = context.GetService<Predicate<Exception>>();
        endpointConfigurator.UseMessageRetry(r =>
        {
            if (infrastructure is not null)
            {
                r.Ignore<Exception>(e => infrastructure(e));
            }

            r.Intervals(10, 50, 100, 250, 500, 1000, 2000);
        });
    }
}

public static class ConsumerRegistration
{
    /// <summary>The stock and slot activities; their ports (<see cref="IStockLedger"/>, <see cref="ISlotCapacity"/>) must be services.</summary>
    public static IBusRegistrationConfigurator AddStockAndSlotConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ReleaseStockConsumer, GroceryConsumerDefinition<ReleaseStockConsumer>>();
        bus.AddConsumer<CommitPickedStockConsumer, GroceryConsumerDefinition<CommitPickedStockConsumer>>();
        bus.AddConsumer<ReturnStockConsumer, GroceryConsumerDefinition<ReturnStockConsumer>>();
        bus.AddConsumer<ExtendSlotCapacityHoldConsumer, GroceryConsumerDefinition<ExtendSlotCapacityHoldConsumer>>();
        bus.AddConsumer<ConfirmSlotCapacityConsumer, GroceryConsumerDefinition<ConfirmSlotCapacityConsumer>>();
        bus.AddConsumer<ReleaseSlotCapacityConsumer, GroceryConsumerDefinition<ReleaseSlotCapacityConsumer>>();
        return bus;
    }

    /// <summary>The payment activities; <see cref="Payments.PaymentGateways"/> and an <see cref="Payments.IPaymentLedger"/> must be services.</summary>
    public static IBusRegistrationConfigurator AddPaymentConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Payments.AuthorizePaymentConsumer, GroceryConsumerDefinition<Payments.AuthorizePaymentConsumer>>();
        bus.AddConsumer<Payments.CapturePaymentConsumer, GroceryConsumerDefinition<Payments.CapturePaymentConsumer>>();
        bus.AddConsumer<Payments.VoidPaymentAuthorizationConsumer, GroceryConsumerDefinition<Payments.VoidPaymentAuthorizationConsumer>>();
        bus.AddConsumer<Payments.RefundPaymentConsumer, GroceryConsumerDefinition<Payments.RefundPaymentConsumer>>();
        bus.AddConsumer<Payments.ProviderReportConsumer, GroceryConsumerDefinition<Payments.ProviderReportConsumer>>();
        return bus;
    }

    /// <summary>
    /// The courier activities: cancelling a booking always; quoting and booking unless the simulator's couriers take
    /// them (<paramref name="simulated"/>). <see cref="Delivery.CourierGateways"/> and an <see cref="Delivery.ICourierBookings"/> must be services.
    /// </summary>
    public static IBusRegistrationConfigurator AddCourierConsumers(this IBusRegistrationConfigurator bus, bool simulated)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Delivery.CancelCourierDispatchConsumer, GroceryConsumerDefinition<Delivery.CancelCourierDispatchConsumer>>();
        if (!simulated)
        {
            bus.AddConsumer<Delivery.QuoteDeliveryConsumer, GroceryConsumerDefinition<Delivery.QuoteDeliveryConsumer>>();
            bus.AddConsumer<Delivery.DispatchCourierConsumer, GroceryConsumerDefinition<Delivery.DispatchCourierConsumer>>();
        }

        return bus;
    }

    /// <summary>The customer's notifications: composing them from the order's events, and posting them to the notification service.</summary>
    public static IBusRegistrationConfigurator AddNotificationConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<Notifications.CustomerNotifier, GroceryConsumerDefinition<Notifications.CustomerNotifier>>();
        bus.AddConsumer<Notifications.NotificationSender, Notifications.NotificationSenderDefinition>();
        return bus;
    }
}
