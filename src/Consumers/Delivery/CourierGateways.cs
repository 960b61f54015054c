using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Delivery;

/// <summary>The configured couriers: the provider booked first, and the store's fleet after it, if there is one.</summary>
public sealed class CourierGateways(IEnumerable<ICourierGateway> gateways, IOptions<CourierSettings> options)
{
    private readonly Dictionary<string, ICourierGateway> _byName = gateways.ToDictionary(g => g.Provider, StringComparer.Ordinal);

    public ICourierGateway? Primary => For(options.Value.Provider);

    public ICourierGateway? StoreFleet => For(options.Value.Fallback);

    public ICourierGateway? For(string? provider) => provider is not null && _byName.TryGetValue(provider, out var gateway) ? gateway : null;
}
