namespace Grocery.Workflows.Consumers.Payments;

/// <summary>Why a provider will not take an order's payment: the title and detail of the 422 problem.</summary>
public sealed record PaymentRefusal(string Title, string Detail);
