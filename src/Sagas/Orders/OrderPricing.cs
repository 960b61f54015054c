using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Sagas.Orders;

/// <summary>Totals in minor units. Line amounts round half away from zero, once per line.</summary>
public static class OrderPricing
{
    public static long LineAmount(decimal quantity, long unitPrice) =>
        checked((long)Math.Round(quantity * unitPrice, MidpointRounding.AwayFromZero));

    public static long Total(IEnumerable<OrderLine> lines) =>
        lines.Sum(l => LineAmount(l.Quantity, l.UnitPrice));

    public static long Total(IEnumerable<PickedLine> lines) =>
        lines.Sum(l => LineAmount(l.PickedQuantity, l.UnitPrice));

    /// <summary>The amount to authorize: the estimate raised by the margin, rounded up.</summary>
    public static long WithMargin(long estimate, int marginPercent) =>
        checked((estimate * marginPercent + 99) / 100);
}
