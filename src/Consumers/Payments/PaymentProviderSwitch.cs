namespace Grocery.Workflows.Consumers.Payments;

/// <summary>The setting that offers a provider (e.g. its API key), named to whoever asks for a provider when none is offered.</summary>
public sealed record PaymentProviderSwitch(string Provider, string Setting);
