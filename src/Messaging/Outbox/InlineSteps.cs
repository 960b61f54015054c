using MassTransit;
using MassTransit.Context;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// Commands whose one consumer only writes to this engine's own database (a ledger entry, a capacity count). A saga that
/// sends one inside the transactional outbox has its consumer run at once, in the same scope and transaction, instead
/// of an outbox row, a dispatch, a delivery and a second transaction with an inbox row of its own. The step commits or
/// rolls back with the transition that sent it, so it is applied exactly once; a failure fails that message, which is
/// retried as a whole. The consumer stays on its endpoint for copies sent by an instance without this list.
/// Register with <see cref="MessagingRegistration.ApplyInline{TConsumer, TMessage}"/> on a bus that also hosts the consumer.
/// </summary>
public sealed class InlineSteps(IEnumerable<InlineStep> steps)
{
    private readonly Dictionary<Type, InlineStep> _steps = steps.ToDictionary(s => s.MessageType);

    /// <summary>The steps as seen from one message's scope, whose services (its DbContext) the consumers share.</summary>
    internal Scoped In(IServiceProvider scope) => new(this, scope);

    internal readonly struct Scoped(InlineSteps steps, IServiceProvider scope)
    {
        /// <summary>Applies the message if it is an inline step, and says so; otherwise <c>null</c>: it travels.</summary>
        public Task? TryApply(ConsumeContext sender, object message) =>
            steps._steps.TryGetValue(message.GetType(), out var step) ? step.Apply(scope, sender, message) : null;
    }
}

/// <summary>One command applied inline by its consumer.</summary>
public abstract class InlineStep
{
    protected InlineStep(Type messageType) => MessageType = messageType;

    public Type MessageType { get; }

    /// <summary>Runs the consumer with the message, in the scope of the message being consumed (<paramref name="sender"/>).</summary>
    internal abstract Task Apply(IServiceProvider scope, ConsumeContext sender, object message);
}

internal sealed class InlineStep<TConsumer, TMessage>() : InlineStep(typeof(TMessage))
    where TConsumer : class, IConsumer<TMessage>
    where TMessage : class
{
    internal override Task Apply(IServiceProvider scope, ConsumeContext sender, object message) =>
        scope.GetRequiredService<TConsumer>().Consume(new MessageConsumeContext<TMessage>(sender, (TMessage)message));
}
