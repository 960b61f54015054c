using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Consumers.Payments;

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
