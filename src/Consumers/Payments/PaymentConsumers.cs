using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>The idempotency keys of an order's payment steps: the same step always sends the same key.</summary>
internal static class PaymentSteps
{
    public static PaymentCall Authorize(Guid orderId, int attempt) => new(orderId, $"{orderId:N}-authorize-{attempt}");

    public static PaymentCall Capture(Guid orderId, string authorizationId) => new(orderId, $"{orderId:N}-capture-{authorizationId}");

    public static PaymentCall Void(Guid orderId, string authorizationId) => new(orderId, $"{orderId:N}-void-{authorizationId}");

    public static PaymentCall Refund(Guid orderId, string step, string captureId) => new(orderId, $"{orderId:N}-{step}-{captureId}");
}

public sealed class AuthorizePaymentConsumer(PaymentGateways gateways, IPaymentLedger ledger, TimeProvider time) : IConsumer<AuthorizePayment>
{
    public async Task Consume(ConsumeContext<AuthorizePayment> context)
    {
        var m = context.Message;
        var result = await gateways.For(m.Provider).Authorize(PaymentSteps.Authorize(m.OrderId, 1), m.Token, m.Amount, context.CancellationToken);
        if (result.AwaitsApproval)
        {
            // The customer approves in the provider's app; the provider's webhook brings the answer (ProviderReportConsumer).
            await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.ApprovalRequested, m.Provider, result.ProviderId!, null, m.Amount,
                time.GetUtcNow(), Note: result.ApprovalUrl), context.CancellationToken);
            return;
        }

        if (!result.Succeeded)
        {
            await context.Publish(new PaymentDeclined(m.OrderId, result.Refusal!));
            return;
        }

        await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.Authorization, m.Provider, result.ProviderId!, null, m.Amount,
            time.GetUtcNow(), result.HoldExpiresAt), context.CancellationToken);
        await context.Publish(new PaymentAuthorized(m.OrderId, result.ProviderId!, m.Amount));
    }
}

public sealed class VoidPaymentAuthorizationConsumer(PaymentGateways gateways, IPaymentLedger ledger, TimeProvider time) : IConsumer<VoidPaymentAuthorization>
{
    public async Task Consume(ConsumeContext<VoidPaymentAuthorization> context)
    {
        var m = context.Message;
        var position = await ledger.Position(m.OrderId, context.CancellationToken);
        await position.VoidIfOpen(gateways.For(m.Provider), ledger, m.OrderId, m.AuthorizationId, time.GetUtcNow(), context.CancellationToken);
        await context.Publish(new PaymentAuthorizationVoided(m.OrderId, m.AuthorizationId));
    }
}

public sealed class RefundPaymentConsumer(PaymentGateways gateways, IPaymentLedger ledger, TimeProvider time) : IConsumer<RefundPayment>
{
    public async Task Consume(ConsumeContext<RefundPayment> context)
    {
        var m = context.Message;
        if (m.Step is not (RefundPayment.OrderRefund or RefundPayment.ExcessRefund))
        {
            throw new InvalidOperationException($"RefundPayment step '{m.Step}' is neither '{RefundPayment.OrderRefund}' nor '{RefundPayment.ExcessRefund}'.");
        }

        var position = await ledger.Position(m.OrderId, context.CancellationToken);
        // Only what is left of the capture goes back: a refund made outside the engine counts.
        var amount = m.Amount with { Amount = Math.Min(m.Amount.Amount, position.LeftOf(m.CaptureId)) };
        position.EnsureAllowed(new PaymentEntry(PaymentEntryKind.Refund, m.Provider, "?", m.CaptureId, amount, time.GetUtcNow()));
        if (amount.Amount == 0)
        {
            // Refunded already (an earlier attempt, or the provider's dashboard): say what the ledger shows.
            await PublishRefunded(context, "already-refunded", m.Amount with { Amount = position.RefundedOf(m.CaptureId) });
            return;
        }

        var result = await gateways.For(m.Provider).Refund(PaymentSteps.Refund(m.OrderId, m.Step, m.CaptureId), m.CaptureId, amount, context.CancellationToken);
        if (!result.Succeeded)
        {
            // A refused refund needs a person; failing the message keeps it in the error queue, inspectable and replayable.
            throw new InvalidOperationException($"Refund of {amount} for order {m.OrderId} was refused: {result.Refusal}");
        }

        // The provider's webhook may have reported this very refund already (it can outrun this transaction).
        position = await ledger.Position(m.OrderId, context.CancellationToken);
        if (amount.Amount <= position.LeftOf(m.CaptureId))
        {
            await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.Refund, m.Provider, result.ProviderId!, m.CaptureId, amount, time.GetUtcNow(),
                Note: m.Step == RefundPayment.ExcessRefund ? "the hold less the picked total: the provider captures whole holds only" : null),
                context.CancellationToken);
        }

        await PublishRefunded(context, result.ProviderId!, amount);
    }

    private static Task PublishRefunded(ConsumeContext<RefundPayment> context, string refundId, Money amount) =>
        context.Message.Step == RefundPayment.OrderRefund
            ? context.Publish(new PaymentRefunded(context.Message.OrderId, refundId, amount))
            : Task.CompletedTask;
}

/// <summary>What the providers report on their own (webhooks): written into the ledger, so the next step sees it.</summary>
public sealed partial class ProviderReportConsumer(IPaymentLedger ledger, TimeProvider time, ILogger<ProviderReportConsumer> logger)
    : IConsumer<PaymentAuthorizationLapsed>, IConsumer<PaymentRefundReported>, IConsumer<PaymentApprovalReported>
{
    public async Task Consume(ConsumeContext<PaymentApprovalReported> context)
    {
        var m = context.Message;
        var position = await ledger.Position(m.OrderId, context.CancellationToken);
        if (position.Authorization(m.AuthorizationId) is not null || position.IsVoided(m.AuthorizationId))
        {
            return;
        }

        var request = position.ApprovalRequest(m.AuthorizationId);
        var amount = request?.Amount ?? m.Amount;
        var forCapture = request?.ParentId == CapturePaymentConsumer.CaptureAfterApproval;
        if (!m.Approved)
        {
            if (request is not null)
            {
                await ledger.Append(m.OrderId, request.Voided(time.GetUtcNow(), "not approved: " + m.Reason), context.CancellationToken);
            }

            var reason = m.Reason ?? "not approved";
            await (forCapture
                ? context.Publish(new PaymentCaptureFailed(m.OrderId, "The customer did not approve the picked total: " + reason))
                : context.Publish(new PaymentDeclined(m.OrderId, reason)));
            return;
        }

        await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.Authorization, m.Provider, m.AuthorizationId, null, amount, time.GetUtcNow(),
            m.HoldExpiresAt, "approved by the customer"), context.CancellationToken);
        await (forCapture
            ? context.Publish(new CapturePayment(m.OrderId, m.Provider, "", m.AuthorizationId, amount))
            : context.Publish(new PaymentAuthorized(m.OrderId, m.AuthorizationId, amount)));
    }

    public async Task Consume(ConsumeContext<PaymentAuthorizationLapsed> context)
    {
        var m = context.Message;
        var position = await ledger.Position(m.OrderId, context.CancellationToken);
        if (position.IsOpen(m.AuthorizationId))
        {
            await ledger.Append(m.OrderId, position.Authorization(m.AuthorizationId)!.Voided(time.GetUtcNow(), "provider: " + m.Reason),
                context.CancellationToken);
            LogLapsed(logger, m.OrderId, m.AuthorizationId, m.Reason);
        }
    }

    public async Task Consume(ConsumeContext<PaymentRefundReported> context)
    {
        var m = context.Message;
        var position = await ledger.Position(m.OrderId, context.CancellationToken);
        var unrecorded = m.TotalRefunded.Amount - position.RefundedOf(m.CaptureId);
        if (unrecorded > 0)
        {
            var amount = m.TotalRefunded with { Amount = unrecorded };
            await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.Refund, m.Provider, m.ReportId, m.CaptureId, amount, time.GetUtcNow(),
                Note: "reported by the provider"), context.CancellationToken);
            LogRefundReported(logger, m.OrderId, m.CaptureId, amount);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the provider cancelled authorization {AuthorizationId} ({Reason}); capture will authorize again")]
    private static partial void LogLapsed(ILogger logger, Guid orderId, string authorizationId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the provider reports {Amount} refunded of capture {CaptureId} outside the engine")]
    private static partial void LogRefundReported(ILogger logger, Guid orderId, string captureId, Money amount);
}

internal static class PaymentPositionSteps
{
    /// <summary>Releases a hold once: a hold the ledger shows voided or captured is left alone.</summary>
    public static async Task VoidIfOpen(this PaymentPosition position, IPaymentGateway gateway, IPaymentLedger ledger, Guid orderId,
        string authorizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (position.IsVoided(authorizationId) || position.CaptureOf(authorizationId) is not null)
        {
            return;
        }

        // A hold the ledger never saw (an answer that arrived after the order gave up) is released all the same.
        var authorization = position.Authorization(authorizationId);
        await gateway.Void(PaymentSteps.Void(orderId, authorizationId), authorizationId, authorization?.Amount, cancellationToken);
        if (authorization is not null)
        {
            await ledger.Append(orderId, authorization.Voided(now), cancellationToken);
        }
    }
}
