using MassTransit;
using MassTransit.DependencyInjection;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>Puts <see cref="TransactionalOutboxFilter{TMessage}"/> in front of every consumer and saga message of the bus.</summary>
public sealed class TransactionalOutboxObserver(IConsumeScopeProvider scopes) : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class =>
        (configurator as IConsumerMessageConfigurator<TMessage>
            ?? throw new InvalidOperationException($"Cannot add the outbox to {typeof(TConsumer).Name}"))
            .UseFilter(new TransactionalOutboxFilter<TMessage>(scopes, typeof(TConsumer).Name));

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class =>
        (configurator as ISagaMessageConfigurator<TMessage>
            ?? throw new InvalidOperationException($"Cannot add the outbox to {typeof(TSaga).Name}"))
            .UseFilter(new TransactionalOutboxFilter<TMessage>(scopes, typeof(TSaga).Name));
}
