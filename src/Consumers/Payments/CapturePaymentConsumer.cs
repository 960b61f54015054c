using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>Payment policy (section <c>Payments</c>).</summary>
public sealed class PaymentSettings
{
    /// <summary>At capture, a hold that lapses within this time is replaced by a new authorization first.</summary>
    [DurationRange("00:00:00", "3.00:00:00")]
    public TimeSpan RenewHoldBefore { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// Captures the picked total. When it exceeds the hold, or the hold has lapsed or is about to, the payment method is
/// authorized again for the total first and the old hold is released. A refused capture releases the hold it used.
/// </summary>
public sealed class CapturePaymentConsumer(PaymentGateways gateways, IPaymentLedger ledger, TimeProvider time, IOptions<PaymentSettings> settings)
    : IConsumer<CapturePayment>
{
    /// <summary>The parent of an approval request made by a capture: the approval resumes the capture.</summary>
    public const string CaptureAfterApproval = "capture";

    public async Task Consume(ConsumeContext<CapturePayment> context)
    {
        var m = context.Message;
        var cancellationToken = context.CancellationToken;
        var gateway = gateways.For(m.Provider);
        // Decide as of when the capture was asked for: a retry (or a replay) decides the same way as the first attempt,
        // whose provider calls it repeats under the same keys.
        var asOf = context.SentTime is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : time.GetUtcNow();
        var now = time.GetUtcNow();
        var position = await ledger.Position(m.OrderId, cancellationToken);

        var hold = position.IsOpen(m.AuthorizationId) ? position.Authorization(m.AuthorizationId) : position.LatestOpenAuthorization;
        if (hold is null || hold.Amount.Amount < m.Amount.Amount || hold.HoldExpiresAt <= asOf + settings.Value.RenewHoldBefore)
        {
            var attempt = position.AuthorizationAttempts + 1;
            var renewed = await gateway.Authorize(PaymentSteps.Authorize(m.OrderId, attempt), m.Token, m.Amount, cancellationToken);
            if (renewed.AwaitsApproval)
            {
                // The customer approves the new total in the provider's app; its webhook resumes this capture.
                await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.ApprovalRequested, m.Provider, renewed.ProviderId!, CaptureAfterApproval,
                    m.Amount, now, Note: renewed.ApprovalUrl), cancellationToken);
                return;
            }

            if (!renewed.Succeeded)
            {
                await context.Publish(new PaymentCaptureFailed(m.OrderId, "Authorizing the picked total again was refused: " + renewed.Refusal));
                return;
            }

            var entry = new PaymentEntry(PaymentEntryKind.Authorization, m.Provider, renewed.ProviderId!, null, m.Amount, now, renewed.HoldExpiresAt,
                Why(hold, m.Amount.Amount, asOf));
            await ledger.Append(m.OrderId, entry, cancellationToken);
            if (hold is not null)
            {
                await position.VoidIfOpen(gateway, ledger, m.OrderId, hold.ProviderId, now, cancellationToken);
            }

            hold = entry;
            position = await ledger.Position(m.OrderId, cancellationToken);
        }

        var take = gateway.CapturesWholeHoldOnly ? hold.Amount : m.Amount;
        position.EnsureAllowed(new PaymentEntry(PaymentEntryKind.Capture, m.Provider, "?", hold.ProviderId, take, now));
        var captured = await gateway.Capture(PaymentSteps.Capture(m.OrderId, hold.ProviderId), hold.ProviderId, take, cancellationToken);
        if (!captured.Succeeded)
        {
            await position.VoidIfOpen(gateway, ledger, m.OrderId, hold.ProviderId, now, cancellationToken);
            await context.Publish(new PaymentCaptureFailed(m.OrderId, captured.Refusal!));
            return;
        }

        await ledger.Append(m.OrderId, new PaymentEntry(PaymentEntryKind.Capture, m.Provider, captured.ProviderId!, hold.ProviderId, take, now),
            cancellationToken);
        // Once the money is taken nothing here may fail: the rest of the hold and any other hold are given back by
        // messages of their own, which retry on their own.
        if (take.Amount > m.Amount.Amount)
        {
            await context.Publish(new RefundPayment(m.OrderId, m.Provider, captured.ProviderId!, take with { Amount = take.Amount - m.Amount.Amount },
                RefundPayment.ExcessRefund));
        }

        position = await ledger.Position(m.OrderId, cancellationToken);
        foreach (var other in position.Authorizations.Where(a => position.IsOpen(a.ProviderId)).ToList())
        {
            await context.Publish(new VoidPaymentAuthorization(m.OrderId, m.Provider, other.ProviderId));
        }

        await context.Publish(new PaymentCaptured(m.OrderId, hold.ProviderId, captured.ProviderId!, m.Amount));
    }

    private static string Why(PaymentEntry? hold, long total, DateTimeOffset asOf)
    {
        if (hold is null || hold.HoldExpiresAt <= asOf)
        {
            return "the hold had lapsed";
        }

        return hold.Amount.Amount < total ? $"the picked total exceeds the hold of {hold.Amount}" : $"the hold lapses at {hold.HoldExpiresAt:u}";
    }
}
