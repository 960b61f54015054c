namespace Grocery.Workflows.Consumers.Payments;

/// <summary>An order's payment as the storefront sent it, with the store it is for and the currency that store sells in.</summary>
public sealed record OrderPayment(string Token, string StoreId, string Currency, string CustomerId);
