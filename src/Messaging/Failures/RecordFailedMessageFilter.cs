using System.Text;
using System.Text.Json;
using Grocery.Workflows.Messaging.Outbox;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Messaging.Failures;

/// <summary>
/// In the error pipe, before the message moves to the error queue: keeps a copy with its exception, headers and
/// order id in <c>failed_messages</c>. Recording never stops the move to the error queue.
/// </summary>
public sealed class RecordFailedMessageFilter(IServiceScopeFactory scopes, WriteGate gate, TimeProvider time) : IFilter<ExceptionReceiveContext>
{
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            var body = Encoding.UTF8.GetString(context.Body.GetBytes());
            var (messageId, messageType, orderId) = Envelope(body);
            var secrets = FailureRedaction.Body(body).Secrets;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            db.FailedMessages.Add(new FailedMessage
            {
                MessageId = messageId,
                MessageType = messageType ?? "unknown",
                InputAddress = context.InputAddress.ToString(),
                OrderId = orderId,
                Body = body,
                Headers = JsonSerializer.Serialize(context.TransportHeaders.GetAll().ToDictionary(h => h.Key, h => h.Value?.ToString())),
                ExceptionType = context.Exception.GetType().FullName ?? context.Exception.GetType().Name,
                // The body stays whole for a replay; what is written about the failure never quotes its payment token.
                ExceptionMessage = FailureRedaction.Scrub(context.Exception.Message, secrets),
                StackTrace = context.Exception.StackTrace is { } trace ? FailureRedaction.Scrub(trace[..Math.Min(trace.Length, 4000)], secrets) : null,
                FailedAt = time.GetUtcNow(),
            });
            using (await gate.Enter(context.CancellationToken))
            {
                await db.SaveChangesAsync(context.CancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The error queue still gets the message; the table is a convenience for ops.
            LogContext.Warning?.Log(exception, "Could not record the failed message");
        }

        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("record-failed-message");

    /// <summary>MassTransit's JSON envelope: messageId, messageType (urn:message:Namespace:Name), message.orderId.</summary>
    internal static (Guid? MessageId, string? MessageType, Guid? OrderId) Envelope(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            Guid? messageId = root.TryGetProperty("messageId", out var id) && id.TryGetGuid(out var g) ? g : null;
            string? type = root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0
                ? types[0].GetString() : null;
            Guid? orderId = root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("orderId", out var order) && order.TryGetGuid(out var o) ? o : null;
            return (messageId, type, orderId);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }
}
