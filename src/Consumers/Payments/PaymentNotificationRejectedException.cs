namespace Grocery.Workflows.Consumers.Payments;

/// <summary>A notification that is not from the provider (unsigned, wrongly signed, stale) or not readable.</summary>
public sealed class PaymentNotificationRejectedException(string message) : Exception(message);
