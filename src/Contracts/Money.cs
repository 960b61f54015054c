namespace Grocery.Workflows.Contracts;

/// <summary>
/// An amount in the currency's minor unit (cents for SGD, dong for VND, which has no minor unit).
/// Never a floating-point number.
/// </summary>
/// <param name="Amount">Amount in minor units.</param>
/// <param name="Currency">ISO 4217 code, e.g. <c>VND</c>, <c>SGD</c>, <c>THB</c>.</param>
public sealed record Money(long Amount, string Currency)
{
    /// <summary>The sum of two amounts of the same currency.</summary>
    public Money Plus(Money other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!string.Equals(Currency, other.Currency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Cannot add {other.Currency} to {Currency}.");
        }

        return this with { Amount = checked(Amount + other.Amount) };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Amount} {Currency}";
}
