namespace Grocery.Workflows.Contracts;

/// <summary>How a product is sold: by the piece or by weight.</summary>
public enum SaleUnit
{
    /// <summary>Sold by the piece; quantities are whole numbers.</summary>
    Each,

    /// <summary>Sold by weight; quantities are kilograms with up to three decimals.</summary>
    Kilogram,
}

/// <summary>What the customer wants done when an item is short.</summary>
public enum SubstitutionPreference
{
    /// <summary>Accept the best-matching replacement when the customer does not answer in time.</summary>
    Accept,

    /// <summary>Refund short lines when the customer does not answer in time.</summary>
    Refund,

    /// <summary>The customer wants to be asked; silence refunds the line.</summary>
    Ask,
}

/// <summary>A line of an order (or a proposed replacement) with its price.</summary>
/// <param name="Sku">Stock keeping unit.</param>
/// <param name="Name">Product name at the time of the order.</param>
/// <param name="Unit">Whether <paramref name="Quantity"/> counts pieces or kilograms.</param>
/// <param name="Quantity">Pieces, or kilograms for weighed items.</param>
/// <param name="UnitPrice">Price per piece or per kilogram, in the order currency's minor units.</param>
public sealed record OrderLine(string Sku, string Name, SaleUnit Unit, decimal Quantity, long UnitPrice);

/// <summary>A line as it left the shelf: what was actually picked, possibly a replacement.</summary>
/// <param name="Sku">Stock keeping unit that was picked.</param>
/// <param name="Name">Product name.</param>
/// <param name="Unit">Pieces or kilograms.</param>
/// <param name="OrderedQuantity">What the customer ordered of this SKU (0 for a replacement).</param>
/// <param name="PickedQuantity">What was picked (the measured weight for weighed items).</param>
/// <param name="UnitPrice">Price per piece or per kilogram, in minor units.</param>
/// <param name="ReplacesSku">The ordered SKU this line replaces, when it is an approved substitute.</param>
public sealed record PickedLine(
    string Sku,
    string Name,
    SaleUnit Unit,
    decimal OrderedQuantity,
    decimal PickedQuantity,
    long UnitPrice,
    string? ReplacesSku);

/// <summary>A quantity of one SKU, as the stock ledger sees it.</summary>
/// <param name="Sku">Stock keeping unit.</param>
/// <param name="Quantity">Pieces, or kilograms for weighed items.</param>
public sealed record StockLine(string Sku, decimal Quantity)
{
    /// <summary>The stock an order's lines ask for, a line each.</summary>
    public static IReadOnlyList<StockLine> Of(IEnumerable<OrderLine> lines) => [.. lines.Select(l => new StockLine(l.Sku, l.Quantity))];
}
