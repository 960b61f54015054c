using System.Globalization;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Persistence.Slots;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>What a store has on the shelf when the engine first starts (kilograms for weighed items, pieces otherwise).</summary>
public sealed record OpeningBalance(string StoreId, string Sku, decimal Quantity);

/// <summary>
/// The demo catalogue: five stores, 50,000 products, opening stock, slot templates and the delivery slots they
/// produce. Pure and deterministic: every call builds the same data from the same seed, on every machine.
/// </summary>
public static partial class CatalogSeed
{
    public const int Seed = 20261126;

    public const int ProductCount = 50_000;

    /// <summary>Delivery windows start on the hour from 08:00 to 20:00 local time, so the last one ends at 21:00.</summary>
    public static readonly TimeOnly FirstWindow = new(8, 0);

    public static readonly TimeOnly LastWindow = new(20, 0);

    /// <summary>Names a slot by its store and local start, so regenerating a day gives the same ids.</summary>
    private static readonly Guid SlotNamespace = new("8d6f3c52-1f0e-4d8a-9b3e-6a2c5e7d4f10");

    public static IReadOnlyList<Store> Stores() =>
    [
        new()
        {
            StoreId = "hcm-01", Name = "Grocery Ho Chi Minh City - District 1", City = "Ho Chi Minh City",
            TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100,
            Address = "15 Le Loi, Ben Nghe, District 1, Ho Chi Minh City", Latitude = 10.773521, Longitude = 106.701234, Phone = "+842838221500",
        },
        new()
        {
            StoreId = "han-01", Name = "Grocery Hanoi - Hoan Kiem", City = "Hanoi",
            TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100,
            Address = "22 Hang Bai, Hoan Kiem, Hanoi", Latitude = 21.025431, Longitude = 105.853112, Phone = "+842439361200",
        },
        new()
        {
            StoreId = "dad-01", Name = "Grocery Da Nang - Hai Chau", City = "Da Nang",
            TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100,
            Address = "120 Bach Dang, Hai Chau, Da Nang", Latitude = 16.071842, Longitude = 108.224501, Phone = "+842363822300",
        },
        new()
        {
            StoreId = "sgp-01", Name = "Grocery Singapore - Tanjong Pagar", City = "Singapore",
            TimeZone = "Asia/Singapore", Currency = "SGD", PriceFactor = 1.35m, PriceRounding = 1,
            Address = "10 Tanjong Pagar Road, Singapore 088443", Latitude = 1.279512, Longitude = 103.843601, Phone = "+6562251400",
        },
        new()
        {
            // 1 USD is about 36 THB, so a US cent is 36 satang; prices end in a quarter baht.
            StoreId = "bkk-01", Name = "Grocery Bangkok - Sukhumvit", City = "Bangkok",
            TimeZone = "Asia/Bangkok", Currency = "THB", PriceFactor = 36m, PriceRounding = 25,
            Address = "250 Sukhumvit Road, Khlong Toei, Bangkok 10110", Latitude = 13.737204, Longitude = 100.560312, Phone = "+6622541600",
        },
    ];

    /// <summary>Exactly <see cref="ProductCount"/> products with unique names; SKUs are numbered per category in name order.</summary>
    public static IReadOnlyList<Product> Products()
    {
        var random = new Random(Seed);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var picked = new List<(string Prefix, Product Product)>(ProductCount);
        foreach (var shelf in Shelves)
        {
            Pick[] picks = [.. shelf.Lines.SelectMany(Picks)];
            random.Shuffle(picks);
            var taken = 0;
            foreach (var pick in picks)
            {
                if (taken == shelf.Count)
                {
                    break;
                }

                var name = pick.Name();
                if (!names.Add(name))
                {
                    continue;
                }

                var size = pick.Line.Sizes[pick.Size];
                var cents = random.Next(size.MinCents, size.MaxCents + 1);
                picked.Add((shelf.SkuPrefix, new Product
                {
                    Name = name, NameVi = pick.NameVi(), Category = shelf.Category, Unit = shelf.Unit,
                    BasePriceUsCents = cents - (cents % 10) + 9,
                }));
                taken++;
            }

            if (taken < shelf.Count)
            {
                throw new InvalidOperationException($"The {shelf.Category} shelf ({shelf.Unit}) has {taken} distinct names for {shelf.Count} products.");
            }
        }

        var products = new List<Product>(ProductCount);
        foreach (var category in picked.GroupBy(p => p.Prefix, StringComparer.Ordinal))
        {
            var number = 0;
            foreach (var product in category.Select(p => p.Product).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                product.Sku = string.Create(CultureInfo.InvariantCulture, $"{category.Key}-{++number:D5}");
                products.Add(product);
            }
        }

        return products.Count == ProductCount
            ? products
            : throw new InvalidOperationException($"The shelves hold {products.Count} products instead of {ProductCount}.");
    }

    /// <summary>
    /// Every SKU at every store, in store then product order: mostly 20 to 200, some running low, about 3 % out of stock.
    /// Weighed items have up to three decimals.
    /// </summary>
    public static IEnumerable<OpeningBalance> OpeningBalances(IReadOnlyList<Store> stores, IReadOnlyList<Product> products)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(products);
        return Generate();

        IEnumerable<OpeningBalance> Generate()
        {
            var random = new Random(Seed + 1);
            foreach (var store in stores)
            {
                foreach (var product in products)
                {
                    yield return new OpeningBalance(store.StoreId, product.Sku, Quantity(random, product.Unit));
                }
            }
        }
    }

    /// <summary>Every day of the week, one-hour windows from 08:00 to 21:00, a little more room in the evening.</summary>
    public static IReadOnlyList<SlotTemplate> SlotTemplates(IEnumerable<Store> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        return
        [
            .. from store in stores
               from day in Enum.GetValues<DayOfWeek>()
               from hour in Enumerable.Range(FirstWindow.Hour, LastWindow.Hour - FirstWindow.Hour + 1)
               select new SlotTemplate
               {
                   StoreId = store.StoreId,
                   DayOfWeek = day,
                   LocalStart = new TimeOnly(hour, 0),
                   DurationMinutes = 60,
                   Capacity = hour is >= 17 and < 20 ? 30 : 20,
                   CutOffMinutes = 120,
               },
        ];
    }

    /// <summary>The store's calendar date at <paramref name="now"/>.</summary>
    public static DateOnly LocalToday(Store store, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone(store)).DateTime);
    }

    /// <summary>The UTC instants where the store's local day starts and the next one starts.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) LocalDayInUtc(Store store, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(store);
        var zone = Zone(store);
        return (Midnight(day), Midnight(day.AddDays(1)));

        DateTimeOffset Midnight(DateOnly date)
        {
            var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
            // Where a clock change skips midnight, the day starts at the first instant that exists.
            while (zone.IsInvalidTime(local))
            {
                local = local.AddMinutes(15);
            }

            return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        }
    }

    /// <summary>
    /// The store's delivery slots for the local days <paramref name="firstLocalDay"/> .. +<paramref name="days"/>-1:
    /// each template's local window converted to UTC in the store's time zone. A local start that a clock change
    /// skips has no slot.
    /// </summary>
    public static IEnumerable<DeliverySlot> DeliverySlots(Store store, IEnumerable<SlotTemplate> templates, DateOnly firstLocalDay, int days)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var zone = Zone(store);
        var byDay = templates.Where(t => t.StoreId == store.StoreId).OrderBy(t => t.LocalStart).ToLookup(t => t.DayOfWeek);
        return Generate();

        IEnumerable<DeliverySlot> Generate()
        {
            for (var day = firstLocalDay; day < firstLocalDay.AddDays(days); day = day.AddDays(1))
            {
                foreach (var template in byDay[day.DayOfWeek])
                {
                    var local = day.ToDateTime(template.LocalStart, DateTimeKind.Unspecified);
                    if (zone.IsInvalidTime(local))
                    {
                        continue;
                    }

                    var start = new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
                    yield return new DeliverySlot
                    {
                        SlotId = SlotId(store.StoreId, local),
                        StoreId = store.StoreId,
                        WindowStart = start,
                        WindowEnd = start.AddMinutes(template.DurationMinutes),
                        CutOffAt = start.AddMinutes(-template.CutOffMinutes),
                        Capacity = template.Capacity,
                    };
                }
            }
        }
    }

    /// <summary>A name-based (version 5) id of the store's window starting at <paramref name="localStart"/>.</summary>
    public static Guid SlotId(string storeId, DateTime localStart) =>
        NameBasedGuid.Create(SlotNamespace, string.Create(CultureInfo.InvariantCulture, $"{storeId}/{localStart:yyyy-MM-dd'T'HH:mm}"));

    private static TimeZoneInfo Zone(Store store) => TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);

    private static decimal Quantity(Random random, SaleUnit unit)
    {
        var roll = random.Next(100);
        if (roll < 3)
        {
            return 0m;
        }

        var (min, max) = roll < 10 ? (1, 19) : (20, 200);
        return unit == SaleUnit.Kilogram
            ? random.Next(min * 1000, (max * 1000) + 1) / 1000m
            : random.Next(min, max + 1);
    }

    private static IEnumerable<Pick> Picks(ProductLine line)
    {
        for (var b = 0; b < line.Brands.Length; b++)
        {
            for (var p = 0; p < line.Kinds.Length; p++)
            {
                for (var v = 0; v < line.Variants.Length; v++)
                {
                    for (var s = 0; s < line.Sizes.Length; s++)
                    {
                        yield return new Pick(line, b, p, v, s);
                    }
                }
            }
        }
    }

    private readonly record struct Pick(ProductLine Line, int Brand, int Product, int Variant, int Size)
    {
        public string Name()
        {
            var text = string.Format(CultureInfo.InvariantCulture, Line.Layout,
                Line.Brands[Brand], Line.Kinds[Product], Line.Variants[Variant], Line.Sizes[Size].Label);
            return string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        /// <summary>
        /// The name in Vietnamese order, product, variant, brand or origin, size: "Sữa tươi ít đường Vinamilk 1 L",
        /// "Xoài hữu cơ Việt Nam (theo kg)". Brands stay as they are spelled; every other word comes from the dictionary.
        /// </summary>
        public string NameVi()
        {
            var kind = Line.Kinds[Product];
            var product = Vietnamese(ProductNamesVi, kind, "product");
            var variant = Vietnamese(VariantNamesVi, Line.Variants[Variant], "variant");
            var brand = IsOriginLine(Line) ? Vietnamese(OriginNamesVi, Line.Brands[Brand], "origin") : Line.Brands[Brand];
            var size = SizeNameVi(Line.Sizes[Size].Label, kind);

            // Without a product word (the soft drinks) the brand is what the product is called: "Sprite hương chanh".
            string[] parts = product.Length > 0 ? [product, variant, brand, size] : [brand, variant, size];
            return Capitalised(string.Join(' ', string.Join(' ', parts).Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }
    }
}
