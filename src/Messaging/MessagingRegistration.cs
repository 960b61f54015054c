using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Messaging.Inbox;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Messaging.Sagas;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Grocery.Workflows.Messaging;

public static class MessagingRegistration
{
    /// <summary>
    /// The outbox writer and unit of work, the dispatcher's signal, the inbox cleaner and the settings they read, on
    /// <typeparamref name="TContext"/> (registered by the caller, with the <see cref="WriteGate"/> its database needs).
    /// Then <see cref="UseDurableSagas"/> inside <c>AddMassTransit</c>, <see cref="UseOutboxMessageScheduler"/> and
    /// <see cref="UseTransactionalOutbox"/> on the bus, and <see cref="AddOutboxDispatcher"/> after it.
    /// </summary>
    public static IServiceCollection AddWorkflowMessaging<TContext>(this IServiceCollection services)
        where TContext : MessagingDbContext
    {
        services.AddOptions<OutboxSettings>().BindConfiguration("Outbox").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InboxSettings>().BindConfiguration("Inbox").ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<MessagingDbContext>(sp => sp.GetRequiredService<TContext>());
        services.AddScoped<OutboxWriter>();
        services.AddScoped<UnitOfWork>();
        services.TryAddSingleton(TimeProvider.System);
        // What the endpoints' brief retry leaves to the bus's long one (UseTransientFailureRetry).
        services.TryAddSingleton<Predicate<Exception>>(TransientFailures.IsTransient);
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<IConsumeScopeProvider>(sp => new ConsumeScopeProvider(sp.GetRequiredService<IBusRegistrationContext>()));
        services.TryAddSingleton<InlineSteps>();
        services.AddSingleton<InboxCleaner>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxCleaner>());
        return services;
    }

    /// <summary>
    /// The outbox dispatcher. Register it after <c>AddMassTransit</c>: hosted services stop in reverse order, so the
    /// dispatcher stops before the bus and never hands a message to a bus that is shutting down.
    /// </summary>
    public static IServiceCollection AddOutboxDispatcher(this IServiceCollection services) => services.AddHostedService<OutboxDispatcher>();

    /// <summary>
    /// <typeparamref name="TMessage"/>, sent from a consumer or saga of this bus, is applied by <typeparamref name="TConsumer"/>
    /// inside the sender's transaction instead of travelling (<see cref="InlineSteps"/>). Only for a command with this one
    /// consumer, registered on the same bus, that writes nothing but this database.
    /// </summary>
    public static IBusRegistrationConfigurator ApplyInline<TConsumer, TMessage>(this IBusRegistrationConfigurator bus)
        where TConsumer : class, IConsumer<TMessage>
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddSingleton<InlineStep>(new InlineStep<TConsumer, TMessage>());
        return bus;
    }

    /// <summary>
    /// <typeparamref name="TMessage"/>, sent from a consumer or saga of this bus, is applied to <typeparamref name="TSaga"/>
    /// inside the sender's transaction, once the sender's transition has finished, instead of travelling
    /// (<see cref="InlineSteps"/>). Only for a message whose one consumer is that saga, registered on the same bus.
    /// </summary>
    public static IBusRegistrationConfigurator ApplyInlineSaga<TSaga, TMessage>(this IBusRegistrationConfigurator bus)
        where TSaga : class, SagaStateMachineInstance
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddSingleton<InlineStep>(new InlineSagaStep<TSaga, TMessage>());
        return bus;
    }

    /// <summary>Every saga registered after this call keeps its instances in the database.</summary>
    public static IBusRegistrationConfigurator UseDurableSagas(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.SetSagaRepositoryProvider(new EfSagaRepositoryRegistrationProvider());
        return bus;
    }

    /// <summary>
    /// Scheduled messages (saga deadlines, simulated delays) become outbox rows with a due time, and unscheduling one
    /// deletes its row. Use instead of MassTransit's <c>UseDelayedMessageScheduler</c>, with <see cref="UseTransactionalOutbox"/>.
    /// </summary>
    public static void UseOutboxMessageScheduler(this IBusFactoryConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.UseFilter(new OutboxSchedulerFilter());
    }

    /// <summary>Every consumer and saga of the bus consumes in one transaction with inbox and outbox.</summary>
    public static void UseTransactionalOutbox(this IBusFactoryConfigurator bus, IBusRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(context);
        context.GetRequiredService<InlineSteps>().RefuseSharedMessages(context.GetServices<IConsumerRegistration>().Select(r => r.Type));
        var observer = new TransactionalOutboxObserver(context.GetRequiredService<IConsumeScopeProvider>());
        bus.ConnectConsumerConfigurationObserver(observer);
        bus.ConnectSagaConfigurationObserver(observer);
    }
}
