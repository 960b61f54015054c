namespace Grocery.Workflows.Consumers.Payments;

/// <summary>The payment ledger: every authorization, capture, void and refund of every order, with provider ids.</summary>
public interface IPaymentLedger
{
    Task<PaymentPosition> Position(Guid orderId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a line after checking it against the order's lines (<see cref="PaymentPosition.EnsureAllowed"/>).
    /// A line already there (same kind and provider id) is not added twice: a redelivered step records once.
    /// </summary>
    Task Append(Guid orderId, PaymentEntry entry, CancellationToken cancellationToken);
}
