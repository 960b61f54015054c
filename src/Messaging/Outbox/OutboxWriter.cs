using System.Diagnostics;
using System.Text.Json;
using MassTransit;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// Publishes from outside a consumer (an API request) through the outbox: the row is written in the caller's
/// transaction, so the message leaves if and only if the caller's changes commit. <see cref="UnitOfWork"/> commits it
/// and wakes the dispatcher.
/// </summary>
public sealed class OutboxWriter(MessagingDbContext db, IBus bus, TimeProvider time)
{
    public Guid Publish<T>(T message)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!bus.Topology.PublishTopology.GetMessageTopology<T>().TryGetPublishAddress(bus.Address, out var address))
        {
            throw new InvalidOperationException($"The bus has no publish address for {typeof(T).Name}.");
        }

        var now = time.GetUtcNow();
        var messageId = NewId.NextGuid();
        db.Outbox.Add(new OutboxMessage
        {
            MessageId = messageId,
            MessageType = OutboxMessageTypes.NameOf(typeof(T)),
            DestinationAddress = address.ToString(),
            Body = JsonSerializer.Serialize(message, OutboxMessageTypes.Json),
            ConversationId = messageId,
            CorrelationId = OutboxMessageTypes.OrderIdOf(message),
            Headers = OutboxMessageTypes.SerializeHeaders(null, Activity.Current),
            SourceAddress = bus.Address.ToString(),
            CreatedAt = now,
            DueAt = now,
        });
        return messageId;
    }
}
