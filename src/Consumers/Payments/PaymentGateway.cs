using Grocery.Workflows.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// One call to a provider: the order it is for and the idempotency key of the step (derived from the order and the
/// step, e.g. <c>{order}-authorize-1</c>), so a retried call is answered as the first one was and never charges twice.
/// </summary>
public sealed record PaymentCall(Guid OrderId, string IdempotencyKey);

/// <summary>
/// The outcome of a provider call: the provider's id for what it did, or its refusal (a business answer, e.g.
/// <c>card_declined</c>). An authorization also says until when the hold lasts, or that it waits for the customer to
/// approve it in the provider's app (<see cref="ApprovalUrl"/>; the provider reports the answer by webhook).
/// </summary>
public sealed record PaymentResult(bool Succeeded, string? ProviderId, string? Refusal, DateTimeOffset? HoldExpiresAt = null, string? ApprovalUrl = null)
{
    public bool AwaitsApproval => ApprovalUrl is not null;

    public static PaymentResult Ok(string providerId, DateTimeOffset? holdExpiresAt = null) => new(true, providerId, null, holdExpiresAt);

    public static PaymentResult Refused(string reason) => new(false, null, reason);

    public static PaymentResult Pending(string providerId, string approvalUrl) => new(false, providerId, null, null, approvalUrl);
}

/// <summary>
/// A payment provider as the order needs it: hold, capture up to the hold, release the hold, give money back.
/// A technical failure (timeout, 5xx) throws and the step is retried with the same idempotency key; a refusal is a
/// result. Provider types stay inside the adapter.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>The name the storefront uses in <c>payment.provider</c>.</summary>
    string Provider { get; }

    /// <summary>
    /// True when the provider captures a hold only whole (MoMo's confirm): a smaller total is then captured whole and
    /// the rest refunded at once.
    /// </summary>
    bool CapturesWholeHoldOnly => false;

    Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken);

    Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken);

    /// <summary>Releases a hold of <paramref name="amount"/> (null when the ledger does not know it). Voiding a released hold is not an error.</summary>
    Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken);

    Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken);
}

/// <summary>
/// The offered providers by name: their gateways, and what each asks of an order's payment (its
/// <see cref="IPaymentCheck"/>, registered under its name).
/// </summary>
public sealed class PaymentGateways(IEnumerable<IPaymentGateway> gateways, IEnumerable<PaymentProviderSwitch> switches, IServiceProvider services)
{
    private readonly Dictionary<string, IPaymentGateway> _byName = gateways.ToDictionary(g => g.Provider, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Providers => _byName.Keys;

    public bool Has(string provider) => _byName.ContainsKey(provider);

    public IPaymentGateway For(string provider) =>
        _byName.TryGetValue(provider, out var gateway)
            ? gateway
            : throw new InvalidOperationException($"Payment provider '{provider}' is not configured here (configured: {string.Join(", ", _byName.Keys)}).");

    /// <summary>Why <paramref name="provider"/> cannot be chosen here: which providers are, or which settings would offer one.</summary>
    public string NotOffered(string provider) =>
        _byName.Count == 0
            ? $"No payment provider is configured here ({string.Join(", ", switches.Select(s => s.Setting))})."
            : $"Payment provider '{provider}' is not available here; this engine takes {string.Join(", ", _byName.Keys.Select(p => $"\"{p}\""))}.";

    /// <summary>Null when <paramref name="provider"/> takes this payment; otherwise its refusal.</summary>
    public Task<PaymentRefusal?> Check(string provider, OrderPayment payment, CancellationToken cancellationToken) =>
        services.GetKeyedService<IPaymentCheck>(provider) is { } check ? check.Check(payment, cancellationToken) : Task.FromResult<PaymentRefusal?>(null);
}
