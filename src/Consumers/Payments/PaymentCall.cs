namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// One call to a provider: the order it is for and the idempotency key of the step (derived from the order and the
/// step, e.g. <c>{order}-authorize-1</c>), so a retried call is answered as the first one was and never charges twice.
/// </summary>
public sealed record PaymentCall(Guid OrderId, string IdempotencyKey);
