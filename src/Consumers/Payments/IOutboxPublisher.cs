namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// Publishes with the caller's commit (through the outbox): a message leaves if and only if the caller's changes are
/// saved. Generic, so that each message is published as its own type and routed by it, with no switch on types.
/// </summary>
public interface IOutboxPublisher
{
    /// <summary>Queues <paramref name="message"/> for the next commit and returns its message id.</summary>
    Guid Publish<T>(T message)
        where T : class;
}
