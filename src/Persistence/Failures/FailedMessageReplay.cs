using System.Text.Json;
using Grocery.Workflows.Persistence.Outbox;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Failures;

public static class FailedMessages
{
    /// <summary>
    /// The endpoint's error pipe: generate the <c>Fault&lt;T&gt;</c>, record the message in <c>failed_messages</c>, move it
    /// to the error queue (MassTransit's two default steps, with the record in between).
    /// </summary>
    public static void RecordFailures(this IReceiveEndpointConfigurator endpoint, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var filter = new RecordFailedMessageFilter(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<WriteGate>(), services.GetRequiredService<TimeProvider>());
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(filter);
            error.UseFilter(new ErrorTransportFilter());
        });
    }

    /// <summary>
    /// Sends a failed message back to the queue it failed on, through the outbox (it leaves when this transaction
    /// commits). It keeps its message id: if an earlier replay already succeeded, the consumer's inbox drops it.
    /// </summary>
    public static bool Replay(WorkflowDbContext db, FailedMessage failed, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(failed);
        var type = ClrType(failed.MessageType);
        if (type is null)
        {
            return false;
        }

        using var envelope = JsonDocument.Parse(failed.Body);
        if (!envelope.RootElement.TryGetProperty("message", out var message))
        {
            return false;
        }

        var now = time.GetUtcNow();
        db.Outbox.Add(new OutboxMessage
        {
            MessageId = failed.MessageId ?? NewId.NextGuid(),
            MessageType = OutboxMessageTypes.NameOf(type),
            DestinationAddress = failed.InputAddress,
            Body = message.GetRawText(),
            CreatedAt = now,
            DueAt = now,
        });
        failed.ReplayedAt = now;
        failed.ReplayCount++;
        return true;
    }

    /// <summary><c>urn:message:Grocery.Workflows.Contracts.Stock:ReserveStock</c> to the contract type, when it is one of ours.</summary>
    internal static Type? ClrType(string urn)
    {
        const string prefix = "urn:message:";
        if (!urn.StartsWith(prefix, StringComparison.Ordinal) || urn.Contains('[', StringComparison.Ordinal))
        {
            return null;
        }

        var name = urn[prefix.Length..].Replace(':', '.');
        return typeof(Contracts.Money).Assembly.GetType(name);
    }
}
