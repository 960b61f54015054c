using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>A store that picks orders, in its own time zone and currency.</summary>
public sealed class Store
{
    public string StoreId { get; set; } = "";
    public string Name { get; set; } = "";
    public string City { get; set; } = "";

    /// <summary>IANA time zone, e.g. <c>Asia/Ho_Chi_Minh</c>.</summary>
    public string TimeZone { get; set; } = "";

    /// <summary>ISO 4217 currency of every price at this store.</summary>
    public string Currency { get; set; } = "";

    /// <summary>Minor units of <see cref="Currency"/> per US cent of a product's base price (VND 254, SGD 1.35 -> 1.35...).</summary>
    public decimal PriceFactor { get; set; }

    /// <summary>Prices are rounded to a multiple of this many minor units (VND to 100 dong, SGD to 1 cent).</summary>
    public long PriceRounding { get; set; } = 1;

    /// <summary>Where couriers pick up: the street address, its coordinates and the store's phone.</summary>
    public string Address { get; set; } = "";
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public string Phone { get; set; } = "";
}

/// <summary>A product of the catalogue. Its price at a store is <see cref="BasePriceUsCents"/> in the store's currency.</summary>
public sealed class Product
{
    public string Sku { get; set; } = "";
    /// <summary>The name in English.</summary>
    public string Name { get; set; } = "";

    /// <summary>The name in Vietnamese, with its diacritics (brands stay as they are spelled).</summary>
    public string NameVi { get; set; } = "";

    /// <summary>
    /// Both names and the SKU folded for search (<see cref="ProductSearchText"/>): lower case, no diacritics, letters and
    /// digits only. Written with the product; the search indexes (FTS5 on SQLite, a tsvector on PostgreSQL) read it.
    /// </summary>
    public string SearchText { get; set; } = "";

    public string Category { get; set; } = "";
    public SaleUnit Unit { get; set; }

    /// <summary>Reference price in US cents (per piece, or per kilogram for weighed items).</summary>
    public long BasePriceUsCents { get; set; }
}

/// <summary>A recurring delivery window of a store: weekday, local start, one hour long, capacity and cut-off.</summary>
public sealed class SlotTemplate
{
    public int Id { get; set; }
    public string StoreId { get; set; } = "";
    public DayOfWeek DayOfWeek { get; set; }
    public TimeOnly LocalStart { get; set; }
    public int DurationMinutes { get; set; } = 60;
    public int Capacity { get; set; }

    /// <summary>How long before the window bookings close.</summary>
    public int CutOffMinutes { get; set; }
}

public static class CatalogPricing
{
    /// <summary>A product's price at a store, in the store currency's minor units.</summary>
    public static long PriceAt(Store store, Product product)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(product);
        var raw = product.BasePriceUsCents * store.PriceFactor;
        var rounded = Math.Round(raw / store.PriceRounding, MidpointRounding.AwayFromZero) * store.PriceRounding;
        return Math.Max(store.PriceRounding, (long)rounded);
    }
}

/// <summary>A day a store delivers nothing (a holiday, a stock-take): slot generation creates no slot on it.</summary>
public sealed class StoreClosure
{
    public string StoreId { get; set; } = "";

    /// <summary>The store's local date.</summary>
    public DateOnly Date { get; set; }

    public string Reason { get; set; } = "";
}
