using System.Diagnostics;
using Grocery.Workflows.Messaging.Telemetry;
using MassTransit;
using MassTransit.Context;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// Messages that need no trip through the outbox and the transport, because their one handler runs in this engine on
/// this database: a command whose consumer only writes a ledger entry or a capacity count, and an event or command
/// whose one consumer is a saga of this bus. Sent inside the transactional outbox, such a message is applied in the
/// sender's scope and transaction instead of becoming an outbox row, a dispatch, a delivery and a second transaction
/// with an inbox row of its own. It commits or rolls back with the transition that sent it, so it is applied exactly
/// once. The handler stays on its endpoint for copies sent by an instance without this list, and for retries.
/// Register with <see cref="MessagingRegistration.ApplyInline{TConsumer, TMessage}"/> or
/// <see cref="MessagingRegistration.ApplyInlineSaga{TSaga, TMessage}"/> on a bus that also hosts the handler.
/// </summary>
public sealed class InlineSteps(IEnumerable<InlineStep> steps)
{
    /// <summary>
    /// How many saga steps one consumed message may apply: a chain longer than that is a loop between sagas or a design
    /// that should travel, and the rest is sent the normal way.
    /// </summary>
    public const int MaxSagaStepsPerMessage = 16;

    private readonly Dictionary<Type, InlineStep> _steps = steps.ToDictionary(s => s.MessageType);

    /// <summary>
    /// Refuses to start a bus on which a message applied inline has another consumer as well: that consumer would never
    /// receive it. Another saga listening for it is not seen here; docs/extending.md says to check.
    /// </summary>
    internal void RefuseSharedMessages(IEnumerable<Type> consumerTypes)
    {
        var consumers = consumerTypes.ToList();
        foreach (var step in _steps.Values)
        {
            var handles = typeof(IConsumer<>).MakeGenericType(step.MessageType);
            var others = consumers.Where(c => c != step.HandlerType && handles.IsAssignableFrom(c)).Select(c => c.Name).ToList();
            if (others.Count > 0)
            {
                throw new InvalidOperationException(
                    $"{step.MessageType.Name} is applied inline by {step.HandlerType.Name}, but {string.Join(", ", others)} on this bus consume it too " +
                    "and would never receive it. Remove the inline registration, or move that work into the one handler.");
            }
        }
    }

    /// <summary>The steps as seen from one message's scope, whose services (its DbContext) the handlers share.</summary>
    internal Scoped In(IServiceProvider scope) => new(this, scope);

    internal readonly struct Scoped(InlineSteps steps, IServiceProvider scope)
    {
        /// <summary>The step for this message, or <c>null</c>: it travels.</summary>
        public InlineStep? Find(object message) => steps._steps.GetValueOrDefault(message.GetType());

        public async Task Apply(InlineStep step, ConsumeContext sender, object message)
        {
            // No consumer span of the transport's: a span of its own, in the trace of the message that applied it.
            using var span = GroceryTelemetry.Source.StartActivity("inline step", ActivityKind.Internal);
            span?.SetTag("messaging.message.type", step.MessageType.Name);
            span?.SetTag("grocery.inline.handler", step.HandlerType.Name);
            if (OutboxMessageTypes.OrderIdOf(message) is { } orderId)
            {
                span?.SetTag(GroceryTelemetry.OrderIdTag, orderId);
            }

            await step.Apply(scope, sender, message);
        }

        /// <summary>The queue the step's handler would have received its message on.</summary>
        public Uri? EndpointOf(InlineStep step) => step.Endpoint(scope);
    }
}

/// <summary>One message applied inline by its handler.</summary>
public abstract class InlineStep
{
    protected InlineStep(Type messageType, Type handlerType) => (MessageType, HandlerType) = (messageType, handlerType);

    public Type MessageType { get; }

    /// <summary>The consumer, or the saga's instance type.</summary>
    public Type HandlerType { get; }

    /// <summary>
    /// A saga step waits until the transition that sent it has finished, and runs on the message's first attempt only
    /// (see <see cref="OutboxCaptureContext{TMessage}"/>); a consumer step runs at the moment of the send.
    /// </summary>
    internal abstract bool IsSaga { get; }

    /// <summary>Runs the handler with the message, in the scope of the message being consumed (<paramref name="sender"/>).</summary>
    internal abstract Task Apply(IServiceProvider scope, ConsumeContext sender, object message);

    /// <summary>The queue of the handler's endpoint, where its message would have gone had it travelled; null if unknown.</summary>
    internal virtual Uri? Endpoint(IServiceProvider services) => null;
}

internal sealed class InlineStep<TConsumer, TMessage>() : InlineStep(typeof(TMessage), typeof(TConsumer))
    where TConsumer : class, IConsumer<TMessage>
    where TMessage : class
{
    internal override bool IsSaga => false;

    internal override Task Apply(IServiceProvider scope, ConsumeContext sender, object message) =>
        scope.GetRequiredService<TConsumer>().Consume(new MessageConsumeContext<TMessage>(sender, (TMessage)message));
}

/// <summary>
/// A message for a saga of this bus, run through the saga's own message pipe (its repository and its state machine, the
/// same correlation, the same policy for a missing instance) without the endpoint's transport, partitioner or
/// transaction: the repository finds the sender's scope and transaction on the context and loads, locks and saves the
/// instance in them.
/// </summary>
internal sealed class InlineSagaStep<TSaga, TMessage>() : InlineStep(typeof(TMessage), typeof(TSaga))
    where TSaga : class, SagaStateMachineInstance
    where TMessage : class
{
    private IPipe<ConsumeContext<TMessage>>? _pipe;
    private Uri? _endpoint;

    internal override bool IsSaga => true;

    /// <summary>The saga's queue, named as its definition names it for the bus (kebab case: substitution-state).</summary>
    internal override Uri Endpoint(IServiceProvider services)
    {
        if (_endpoint is null)
        {
            var formatter = services.GetService<IEndpointNameFormatter>() ?? DefaultEndpointNameFormatter.Instance;
            var name = services.GetService<ISagaDefinition<TSaga>>()?.GetEndpointName(formatter) ?? formatter.Saga<TSaga>();
            _endpoint = new Uri($"queue:{name}");
        }

        return _endpoint;
    }

    internal override Task Apply(IServiceProvider scope, ConsumeContext sender, object message)
    {
        // Built once per container; two threads building it at first each get a working pipe.
        _pipe ??= Build(scope);
        return _pipe.Send(new MessageConsumeContext<TMessage>(sender, (TMessage)message));
    }

    private static IPipe<ConsumeContext<TMessage>> Build(IServiceProvider services)
    {
        var pipes = new MessagePipes();
        using (pipes.ConnectStateMachineSaga(services.GetRequiredService<SagaStateMachine<TSaga>>(), services.GetRequiredService<ISagaRepository<TSaga>>()))
        {
            return pipes.Get<TMessage>() ?? throw new InvalidOperationException(
                $"{typeof(TSaga).Name}'s state machine has no event for {typeof(TMessage).Name}; it cannot be applied inline.");
        }
    }

    /// <summary>Keeps the message pipes the connector builds for the saga's events, instead of connecting them to an endpoint.</summary>
    private sealed class MessagePipes : IConsumePipeConnector
    {
        private readonly Dictionary<Type, object> _pipes = [];

        public IPipe<ConsumeContext<T>>? Get<T>()
            where T : class => _pipes.GetValueOrDefault(typeof(T)) as IPipe<ConsumeContext<T>>;

        public ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe)
            where T : class => ConnectConsumePipe(pipe, ConnectPipeOptions.All);

        public ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
            where T : class
        {
            _pipes[typeof(T)] = pipe;
            return new Handle();
        }

        private sealed class Handle : ConnectHandle
        {
            public void Disconnect()
            {
                // The pipe is kept, not connected: nothing to undo.
            }

            public void Dispose() => Disconnect();
        }
    }
}
