using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;
using MassTransit;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>The outcome of a payment call: the provider's id for the operation, or its refusal.</summary>
public sealed record PaymentResult(bool Succeeded, string? ProviderId, string? Refusal)
{
    public static PaymentResult Ok(string providerId) => new(true, providerId, null);

    public static PaymentResult Refused(string reason) => new(false, null, reason);
}

/// <summary>
/// A payment provider as the order saga needs it. Each call carries an idempotency key derived from the order and
/// the step, so a retried call never charges twice. A technical failure throws (and is retried); a refusal is a result.
/// </summary>
public interface IPaymentGateway
{
    Task<PaymentResult> Authorize(Guid orderId, string token, Money amount, CancellationToken cancellationToken);

    Task<PaymentResult> Capture(Guid orderId, string authorizationId, Money amount, CancellationToken cancellationToken);

    Task Void(Guid orderId, string authorizationId, CancellationToken cancellationToken);

    Task<PaymentResult> Refund(Guid orderId, string captureId, Money amount, CancellationToken cancellationToken);
}

public sealed class AuthorizePaymentConsumer(IPaymentGateway gateway) : IConsumer<AuthorizePayment>
{
    public async Task Consume(ConsumeContext<AuthorizePayment> context)
    {
        var m = context.Message;
        var result = await gateway.Authorize(m.OrderId, m.Token, m.Amount, context.CancellationToken);
        await (result.Succeeded
            ? context.Publish(new PaymentAuthorized(m.OrderId, result.ProviderId!, m.Amount))
            : context.Publish(new PaymentDeclined(m.OrderId, result.Refusal!)));
    }
}

public sealed class CapturePaymentConsumer(IPaymentGateway gateway) : IConsumer<CapturePayment>
{
    public async Task Consume(ConsumeContext<CapturePayment> context)
    {
        var m = context.Message;
        var result = await gateway.Capture(m.OrderId, m.AuthorizationId, m.Amount, context.CancellationToken);
        await (result.Succeeded
            ? context.Publish(new PaymentCaptured(m.OrderId, result.ProviderId!, m.Amount))
            : context.Publish(new PaymentCaptureFailed(m.OrderId, result.Refusal!)));
    }
}

public sealed class VoidPaymentAuthorizationConsumer(IPaymentGateway gateway) : IConsumer<VoidPaymentAuthorization>
{
    public async Task Consume(ConsumeContext<VoidPaymentAuthorization> context)
    {
        await gateway.Void(context.Message.OrderId, context.Message.AuthorizationId, context.CancellationToken);
        await context.Publish(new PaymentAuthorizationVoided(context.Message.OrderId, context.Message.AuthorizationId));
    }
}

public sealed class RefundPaymentConsumer(IPaymentGateway gateway) : IConsumer<RefundPayment>
{
    public async Task Consume(ConsumeContext<RefundPayment> context)
    {
        var m = context.Message;
        var result = await gateway.Refund(m.OrderId, m.CaptureId, m.Amount, context.CancellationToken);
        if (!result.Succeeded)
        {
            // A refused refund needs a person; failing the message keeps it in the error queue, inspectable and replayable.
            throw new InvalidOperationException($"Refund of {m.Amount} for order {m.OrderId} was refused: {result.Refusal}");
        }

        await context.Publish(new PaymentRefunded(m.OrderId, result.ProviderId!, m.Amount));
    }
}
