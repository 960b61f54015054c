using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Persistence.Telemetry;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>Counts every provider call by provider, operation and outcome (<c>payment_operations_total</c>).</summary>
internal sealed class MeteredPaymentGateway : IPaymentGateway
{
    private readonly IPaymentGateway _inner;

    /// <summary>The provider's series are published at 0 from the start, so that rates and increase() see the first call.</summary>
    public MeteredPaymentGateway(IPaymentGateway inner)
    {
        _inner = inner;
        foreach (var operation in new[] { "authorize", "capture", "void", "refund" })
        {
            foreach (var outcome in new[] { "ok", "refused", "error" })
            {
                WorkflowMetrics.PaymentOperations.WithLabels(inner.Provider, operation, outcome);
            }
        }
    }

    public string Provider => _inner.Provider;

    public bool CapturesWholeHoldOnly => _inner.CapturesWholeHoldOnly;

    public Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken) =>
        Count("authorize", () => _inner.Authorize(call, token, amount, cancellationToken));

    public Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken) =>
        Count("capture", () => _inner.Capture(call, authorizationId, amount, cancellationToken));

    public async Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken) =>
        await Count("void", async () =>
        {
            await _inner.Void(call, authorizationId, amount, cancellationToken);
            return PaymentResult.Ok(authorizationId);
        });

    public Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken) =>
        Count("refund", () => _inner.Refund(call, captureId, amount, cancellationToken));

    private async Task<PaymentResult> Count(string operation, Func<Task<PaymentResult>> call)
    {
        try
        {
            var result = await call();
            WorkflowMetrics.PaymentOperations.WithLabels(_inner.Provider, operation, OutcomeOf(result)).Inc();
            return result;
        }
        catch (Exception)
        {
            WorkflowMetrics.PaymentOperations.WithLabels(_inner.Provider, operation, "error").Inc();
            throw;
        }
    }

    private static string OutcomeOf(PaymentResult result)
    {
        if (result.Succeeded)
        {
            return "ok";
        }

        return result.AwaitsApproval ? "pending" : "refused";
    }
}
