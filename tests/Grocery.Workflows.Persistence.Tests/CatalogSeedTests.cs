using System.Diagnostics;
using System.Text.RegularExpressions;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>The demo catalogue itself: pure, no database.</summary>
public sealed class CatalogSeedTests
{
    private static readonly DateOnly FirstDay = new(2026, 11, 26);

    /// <summary>Vietnamese words of the catalogue that are written without marks: bia, lon, kem, vani...</summary>
    private static readonly HashSet<string> UnmarkedVietnamese = new(StringComparer.OrdinalIgnoreCase)
    {
        "bia", "chai", "lon", "kem", "que", "vani", "socola", "nui", "thanh", "cua", "long", "khoai", "lang", "su", "nho",
        "xanh", "theo", "nam", "phi", "chile", "malaysia", "philippines",
    };

    [Fact]
    public void The_seed_builds_the_same_catalogue_every_time()
    {
        var stores = CatalogSeed.Stores();

        Rows(CatalogSeed.Products()).ShouldBe(Rows(CatalogSeed.Products()));
        stores.Select(s => (s.StoreId, s.Name, s.City, s.TimeZone, s.Currency, s.PriceFactor, s.PriceRounding))
            .ShouldBe(CatalogSeed.Stores().Select(s => (s.StoreId, s.Name, s.City, s.TimeZone, s.Currency, s.PriceFactor, s.PriceRounding)));
        CatalogSeed.OpeningBalances(stores, CatalogSeed.Products()).ShouldBe(CatalogSeed.OpeningBalances(CatalogSeed.Stores(), CatalogSeed.Products()));
        AllSlots(stores).Select(s => (s.SlotId, s.StoreId, s.WindowStart, s.WindowEnd, s.CutOffAt, s.Capacity))
            .ShouldBe(AllSlots(CatalogSeed.Stores()).Select(s => (s.SlotId, s.StoreId, s.WindowStart, s.WindowEnd, s.CutOffAt, s.Capacity)));

        static List<(string, string, string, SaleUnit, long)> Rows(IEnumerable<Product> products) =>
            [.. products.Select(p => (p.Sku, p.Name, p.Category, p.Unit, p.BasePriceUsCents))];
    }

    [Fact]
    public void The_catalogue_has_exactly_50000_products_with_unique_skus_and_unique_names()
    {
        var products = CatalogSeed.Products();

        products.Count.ShouldBe(50_000);
        products.Select(p => p.Sku).Distinct(StringComparer.Ordinal).Count().ShouldBe(50_000);
        products.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count().ShouldBe(50_000);
        products.ShouldAllBe(p => Regex.IsMatch(p.Sku, "^[A-Z]{3}-[0-9]{5}$"));
        products.ShouldAllBe(p => p.Name.Length <= 200 && p.Name == p.Name.Trim() && !p.Name.Contains("  ", StringComparison.Ordinal));
        products.Select(p => p.Category).Distinct().Order(StringComparer.Ordinal).ShouldBe(
        [
            "Baby", "Bakery", "Beverages", "Dairy & Eggs", "Frozen", "Household", "Meat", "Pantry", "Personal Care", "Produce",
            "Rice & Noodles", "Seafood", "Snacks",
        ]);
    }

    [Fact]
    public void Every_product_has_a_Vietnamese_name_with_its_diacritics()
    {
        var products = CatalogSeed.Products();

        products.ShouldAllBe(p => p.NameVi.Length > 0 && p.NameVi.Length <= 200 && p.NameVi == p.NameVi.Trim()
            && !p.NameVi.Contains("  ", StringComparison.Ordinal) && p.NameVi != p.Name && !char.IsLower(p.NameVi[0]));

        // Some Vietnamese words carry no marks ("Kem que socola Walls 100 ml", "Bia Crystal Tiger lon 330 ml"): in such a
        // name every other word is the brand, the amount or a loanword of its English name.
        var unmarked = products.Where(p => !p.NameVi.Any(c => c > '\u007f' && char.IsLetter(c))).ToList();
        unmarked.ShouldAllBe(p => IsVietnameseWithoutMarks(p));
        (unmarked.Count * 100.0 / products.Count).ShouldBeLessThan(1);
    }

    [Fact]
    public void A_Vietnamese_name_reads_product_variant_brand_or_origin_then_size()
    {
        var products = CatalogSeed.Products();
        var vietnamese = products.ToDictionary(p => p.Name, p => p.NameVi, StringComparer.Ordinal);

        vietnamese["Vinamilk Fresh Milk Less Sugar 1 L"].ShouldBe("Sữa tươi ít đường Vinamilk 1 L");
        vietnamese["Organic Vietnamese Mango (per kg)"].ShouldBe("Xoài hữu cơ Việt Nam (theo kg)");
        vietnamese["Kinh Do Sliced Sandwich Bread 400 g"].ShouldBe("Bánh mì sandwich cắt lát Kinh Do 400 g");
        vietnamese["Ayam Tuna Chunks in Oil 185 g"].ShouldBe("Cá ngừ miếng ngâm dầu Ayam 185 g");
        vietnamese["Ba Huan Chicken Eggs Pack of 10"].ShouldBe("Trứng gà Ba Huan hộp 10");
        vietnamese["Saigon Lager Pack of 6 x 330 ml"].ShouldBe("Bia lager Saigon lốc 6 x 330 ml");
        vietnamese["Coca-Cola Zero Sugar 330 ml Can"].ShouldBe("Coca-Cola không đường lon 330 ml", "no product word: the brand leads");

        var freshMilk = products.Where(p => p.Name.StartsWith("Vinamilk Fresh Milk ", StringComparison.Ordinal)).ToList();
        freshMilk.ShouldNotBeEmpty();
        freshMilk.ShouldAllBe(p => p.NameVi.StartsWith("Sữa tươi ", StringComparison.Ordinal) && p.NameVi.Contains(" Vinamilk ", StringComparison.Ordinal));
        freshMilk.ShouldAllBe(p => ProductSearchText.Fold(p.NameVi).StartsWith("sua tuoi ", StringComparison.Ordinal));

        var weighedMangoes = products.Where(p => p.Unit == SaleUnit.Kilogram && p.Name.EndsWith(" Mango (per kg)", StringComparison.Ordinal)).ToList();
        weighedMangoes.ShouldNotBeEmpty();
        weighedMangoes.ShouldAllBe(p => p.NameVi.StartsWith("Xoài ", StringComparison.Ordinal));
        products.Where(p => p.Unit == SaleUnit.Kilogram).ShouldAllBe(p => p.NameVi.EndsWith(" (theo kg)", StringComparison.Ordinal));
    }

    [Fact]
    public void Vietnamese_names_are_unique_and_only_pineapple_and_coconut_meet_without_their_marks()
    {
        var products = CatalogSeed.Products();

        products.Select(p => p.NameVi).Distinct(StringComparer.OrdinalIgnoreCase).Count().ShouldBe(50_000);

        // Search folds the marks away, and "dứa" (pineapple) and "dừa" (coconut), weighed from the same origins, are both "dua".
        var folded = products.GroupBy(p => ProductSearchText.Fold(p.NameVi), StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        folded.Count.ShouldBe(22);
        folded.ShouldAllBe(g => g.Count() == 2
            && g.Any(p => p.NameVi.StartsWith("Dứa ", StringComparison.Ordinal)) && g.Any(p => p.NameVi.StartsWith("Dừa ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Five_stores_have_their_own_time_zone_and_currency()
    {
        CatalogSeed.Stores().Select(s => (s.StoreId, s.City, s.TimeZone, s.Currency, s.PriceRounding)).ShouldBe(
        [
            ("hcm-01", "Ho Chi Minh City", "Asia/Ho_Chi_Minh", "VND", 100L),
            ("han-01", "Hanoi", "Asia/Ho_Chi_Minh", "VND", 100L),
            ("dad-01", "Da Nang", "Asia/Ho_Chi_Minh", "VND", 100L),
            ("sgp-01", "Singapore", "Asia/Singapore", "SGD", 1L),
            ("bkk-01", "Bangkok", "Asia/Bangkok", "THB", 25L),
        ]);
        CatalogSeed.Stores().ShouldAllBe(s => s.Name.StartsWith("Grocery " + s.City + " - ", StringComparison.Ordinal));
    }

    [Fact]
    public void Between_8_and_12_percent_of_the_products_are_weighed_and_only_fresh_food_is()
    {
        var products = CatalogSeed.Products();
        var weighed = products.Where(p => p.Unit == SaleUnit.Kilogram).ToList();

        (weighed.Count * 100.0 / products.Count).ShouldBeInRange(8, 12);
        weighed.Select(p => p.Category).Distinct().Order(StringComparer.Ordinal).ShouldBe(["Meat", "Produce", "Seafood"]);
        weighed.ShouldAllBe(p => p.Name.EndsWith("(per kg)", StringComparison.Ordinal));
        products.Where(p => p.Unit == SaleUnit.Each).ShouldAllBe(p => !p.Name.EndsWith("(per kg)", StringComparison.Ordinal));
    }

    [Fact]
    public void Reference_prices_are_realistic_for_their_category()
    {
        var products = CatalogSeed.Products();

        products.ShouldAllBe(p => p.BasePriceUsCents >= 19 && p.BasePriceUsCents <= 6_009);
        products.Where(p => p.Category == "Meat" && p.Unit == SaleUnit.Kilogram).ShouldAllBe(p => p.BasePriceUsCents >= 300 && p.BasePriceUsCents <= 2_509);
        products.Where(p => p.Name.Contains("Fresh Milk", StringComparison.Ordinal) && p.Name.EndsWith(" 1 L", StringComparison.Ordinal))
            .ShouldAllBe(p => p.BasePriceUsCents >= 150 && p.BasePriceUsCents <= 409);
        products.Where(p => p.Name.Contains("Rice", StringComparison.Ordinal) && p.Name.EndsWith(" 5 kg", StringComparison.Ordinal))
            .ShouldAllBe(p => p.BasePriceUsCents >= 600 && p.BasePriceUsCents <= 1_509);
    }

    [Fact]
    public void Prices_at_every_store_are_positive_and_rounded_to_the_store_rounding()
    {
        var products = CatalogSeed.Products();

        foreach (var store in CatalogSeed.Stores())
        {
            var prices = products.Select(p => CatalogPricing.PriceAt(store, p)).ToList();
            prices.ShouldAllBe(price => price > 0 && price % store.PriceRounding == 0, store.StoreId);
        }

        var hcm = CatalogSeed.Stores()[0];
        CatalogPricing.PriceAt(hcm, new Product { BasePriceUsCents = 199 }).ShouldBe(50_500); // 199 x 254 = 50,546 dong
    }

    [Fact]
    public void Every_store_stocks_every_SKU_mostly_20_to_200_with_a_few_out_of_stock()
    {
        var products = CatalogSeed.Products();
        var units = products.ToDictionary(p => p.Sku, p => p.Unit, StringComparer.Ordinal);
        var balances = CatalogSeed.OpeningBalances(CatalogSeed.Stores(), products).ToList();

        balances.Count.ShouldBe(250_000);
        balances.Select(b => (b.StoreId, b.Sku)).Distinct().Count().ShouldBe(250_000);
        balances.ShouldAllBe(b => b.Quantity >= 0 && b.Quantity <= 200);
        balances.Where(b => units[b.Sku] == SaleUnit.Each).ShouldAllBe(b => b.Quantity == decimal.Truncate(b.Quantity));
        balances.Where(b => units[b.Sku] == SaleUnit.Kilogram).ShouldAllBe(b => b.Quantity * 1000 == decimal.Truncate(b.Quantity * 1000));
        balances.ShouldContain(b => units[b.Sku] == SaleUnit.Kilogram && b.Quantity != decimal.Truncate(b.Quantity));
        (balances.Count(b => b.Quantity == 0) * 100.0 / balances.Count).ShouldBeInRange(1, 5);
        (balances.Count(b => b.Quantity is >= 20 and <= 200) * 100.0 / balances.Count).ShouldBeGreaterThan(85);
    }

    [Fact]
    public void Slots_fill_each_store_local_0800_to_2100_for_14_days_with_13_windows_a_day()
    {
        foreach (var store in CatalogSeed.Stores())
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);
            var slots = CatalogSeed.DeliverySlots(store, CatalogSeed.SlotTemplates([store]), FirstDay, 14).ToList();
            var local = slots.Select(s => (Slot: s, Start: TimeZoneInfo.ConvertTime(s.WindowStart, zone), End: TimeZoneInfo.ConvertTime(s.WindowEnd, zone))).ToList();

            slots.Count.ShouldBe(14 * 13);
            local.GroupBy(x => DateOnly.FromDateTime(x.Start.DateTime)).Select(g => (g.Key, g.Count()))
                .ShouldBe(Enumerable.Range(0, 14).Select(d => (FirstDay.AddDays(d), 13)));
            local.ShouldAllBe(x => x.Start.Hour >= 8 && x.Start.Hour <= 20 && x.Start.Minute == 0 && x.End - x.Start == TimeSpan.FromHours(1));
            local.Min(x => x.Start.Hour).ShouldBe(8);
            local.Max(x => x.End.Hour).ShouldBe(21);
            slots.ShouldAllBe(s => s.CutOffAt == s.WindowStart.AddHours(-2) && s.WindowStart.Offset == TimeSpan.Zero);
            local.ShouldAllBe(x => x.Slot.Capacity == (x.Start.Hour >= 17 && x.Start.Hour < 20 ? 30 : 20));
            slots.Select(s => s.SlotId).Distinct().Count().ShouldBe(slots.Count);
        }

        var stores = CatalogSeed.Stores();
        AllSlots(stores).Select(s => s.SlotId).Distinct().Count().ShouldBe(5 * 13 * 14);
        FirstSlot("hcm-01").WindowStart.ShouldBe(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero)); // 08:00 at UTC+7
        FirstSlot("sgp-01").WindowStart.ShouldBe(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero)); // 08:00 at UTC+8
        FirstSlot("bkk-01").CutOffAt.ShouldBe(new DateTimeOffset(2026, 11, 25, 23, 0, 0, TimeSpan.Zero));

        DeliverySlot FirstSlot(string storeId) => AllSlots(stores).First(s => s.StoreId == storeId);
    }

    [Fact]
    public void Slot_ids_are_version_5_ids_of_store_and_local_start_and_stable_across_runs()
    {
        // RFC 9562 / Python's uuid5(NAMESPACE_DNS, "python.org").
        NameBasedGuid.Create(Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org")
            .ShouldBe(Guid.Parse("886313e1-3b8a-5372-9b90-0c9aee199e5d"));

        var hcm = CatalogSeed.Stores()[0];
        var id = CatalogSeed.DeliverySlots(hcm, CatalogSeed.SlotTemplates([hcm]), FirstDay, 1).First().SlotId;
        id.ShouldBe(Guid.Parse("77be4807-ed5e-5f68-a615-b1b6c30d2e84"));
        id.ShouldBe(CatalogSeed.SlotId("hcm-01", new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Unspecified)));
        CatalogSeed.SlotId("han-01", new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Unspecified)).ShouldNotBe(id);
    }

    [Fact]
    public void Today_is_the_store_local_date()
    {
        var stores = CatalogSeed.Stores().ToDictionary(s => s.StoreId);
        var now = new DateTimeOffset(2026, 11, 26, 16, 30, 0, TimeSpan.Zero);

        CatalogSeed.LocalToday(stores["bkk-01"], now).ShouldBe(new DateOnly(2026, 11, 26)); // 23:30 in Bangkok
        CatalogSeed.LocalToday(stores["sgp-01"], now).ShouldBe(new DateOnly(2026, 11, 27)); // 00:30 in Singapore
    }

    /// <summary>
    /// Every word is a Vietnamese word that has no marks or is also in the English name (brand, amount, loanword), and
    /// at least one is Vietnamese.
    /// </summary>
    private static bool IsVietnameseWithoutMarks(Product product)
    {
        var english = Words(product.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var words = Words(product.NameVi);
        return words.All(w => english.Contains(w) || UnmarkedVietnamese.Contains(w)) && words.Any(UnmarkedVietnamese.Contains);

        static IEnumerable<string> Words(string name) => Regex.Matches(name, @"\p{L}+").Select(m => m.Value);
    }

    private static List<DeliverySlot> AllSlots(IReadOnlyList<Store> stores)
    {
        var templates = CatalogSeed.SlotTemplates(stores);
        return [.. stores.SelectMany(s => CatalogSeed.DeliverySlots(s, templates, FirstDay, 14))];
    }
}

public sealed class SqliteCatalogSeederTests(ITestOutputHelper output) : CatalogSeederTests(new SqliteTestDatabase(), output);

public sealed class PostgresCatalogSeederTests(ITestOutputHelper output) : CatalogSeederTests(new PostgresTestDatabase(), output);

/// <summary>The seeder on a real database of each provider.</summary>
public abstract class CatalogSeederTests(TestDatabase database, ITestOutputHelper output) : IAsyncLifetime
{
    // 03:00 UTC: the same local date (26 November) at every store.
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task The_seeder_fills_an_empty_database_once_and_a_second_run_inserts_nothing()
    {
        var counts = (Stores: 5, Products: 50_000, Balances: 250_000, Templates: 5 * 7 * 13, Slots: 5 * 13 * 14);
        await using (var host = await WorkflowTestHost.Start(database, dispatcher: false, services: FixedClock))
        {
            (await host.Query(db => db.Stores.CountAsync())).ShouldBe(0, "Seed:Enabled=false seeds nothing");
            var seeder = new CatalogSeeder(
                host.Services.GetRequiredService<IServiceScopeFactory>(), host.Services.GetRequiredService<StartupLock>(), host.Services.GetRequiredService<WriteGate>(),
                host.Services.GetRequiredService<TimeProvider>(), Options.Create(new SeedSettings()), NullLogger<CatalogSeeder>.Instance);

            var clock = Stopwatch.StartNew();
            await seeder.StartAsync(CancellationToken.None);
            output.WriteLine($"{database.Provider}: first start seeded the catalogue in {clock.ElapsedMilliseconds} ms");

            (await Counts(host)).ShouldBe(counts);
            await ShouldReadBackAsTheModelMapsIt(host);

            clock.Restart();
            var second = await seeder.SeedAsync(CancellationToken.None);
            output.WriteLine($"{database.Provider}: second run took {clock.ElapsedMilliseconds} ms");
            (second.Stores, second.Products, second.StockBalances, second.SlotTemplates, second.DeliverySlots).ShouldBe((0, 0, 0, 0, 0));

            // The nightly job: the same days again insert nothing; one more day inserts that day only.
            (await GenerateSlots(host, 14)).ShouldBe(0);
            (await GenerateSlots(host, 15)).ShouldBe(5 * 13);
            (await host.InTransaction(sp => sp.GetRequiredService<DeliverySlotGenerator>().GenerateAsync(new DateOnly(2026, 11, 25), 17, CancellationToken.None))).Created
                .ShouldBe(2 * 5 * 13, "only the day before and the day after are new");
            (await host.Query(db => db.DeliverySlots.CountAsync())).ShouldBe(counts.Slots + (3 * 5 * 13));
        }

        await using (var restarted = await WorkflowTestHost.Start(database, dispatcher: false, services: FixedClock, seed: true))
        {
            var hosted = restarted.Services.GetServices<IHostedService>().ToList();
            hosted.FindIndex(h => h is CatalogSeeder).ShouldBe(hosted.FindIndex(h => h is DatabaseMigrator) + 1, "right after the migrator");
            (await Counts(restarted)).ShouldBe((counts.Stores, counts.Products, counts.Balances, counts.Templates, counts.Slots + (3 * 5 * 13)));
        }
    }

    private static void FixedClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(new FixedTime(Now));

    private static Task<(int, int, int, int, int)> Counts(WorkflowTestHost host) =>
        host.Query(async db => (
            await db.Stores.CountAsync(),
            await db.Products.CountAsync(),
            await db.StockBalances.CountAsync(),
            await db.SlotTemplates.CountAsync(),
            await db.DeliverySlots.CountAsync()));

    private static async Task<int> GenerateSlots(WorkflowTestHost host, int days) =>
        (await host.InTransaction(sp => sp.GetRequiredService<DeliverySlotGenerator>().GenerateAsync(days, CancellationToken.None))).Created;

    /// <summary>Rows written past EF Core are found and read by EF Core: keys, enums, times and quantities.</summary>
    private static async Task ShouldReadBackAsTheModelMapsIt(WorkflowTestHost host)
    {
        var stores = CatalogSeed.Stores();
        var products = CatalogSeed.Products();
        var hcm = stores[0];
        var firstSlot = CatalogSeed.DeliverySlots(hcm, CatalogSeed.SlotTemplates([hcm]), new DateOnly(2026, 11, 26), 1).First();
        var bySku = products.ToDictionary(p => p.Sku, StringComparer.Ordinal);
        var opening = CatalogSeed.OpeningBalances(stores, products)
            .First(b => b.StoreId == "sgp-01" && bySku[b.Sku].Unit == SaleUnit.Kilogram && b.Quantity != decimal.Truncate(b.Quantity));
        var weighed = bySku[opening.Sku];

        var slot = await host.Query(db => db.DeliverySlots.AsNoTracking().SingleAsync(s => s.SlotId == firstSlot.SlotId));
        (slot.StoreId, slot.WindowStart, slot.WindowEnd, slot.CutOffAt, slot.Capacity, slot.Held, slot.Confirmed)
            .ShouldBe(("hcm-01", firstSlot.WindowStart, firstSlot.WindowEnd, firstSlot.CutOffAt, 20, 0, 0));
        (await host.Query(db => db.DeliverySlots.MinAsync(s => s.WindowStart))).ShouldBe(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

        var product = await host.Query(db => db.Products.AsNoTracking().SingleAsync(p => p.Sku == weighed.Sku));
        (product.Name, product.Category, product.Unit, product.BasePriceUsCents).ShouldBe((weighed.Name, weighed.Category, SaleUnit.Kilogram, weighed.BasePriceUsCents));
        (await host.Query(db => db.Products.CountAsync(p => p.Unit == SaleUnit.Kilogram))).ShouldBe(products.Count(p => p.Unit == SaleUnit.Kilogram));

        var balance = await host.Query(db => db.StockBalances.AsNoTracking().SingleAsync(b => b.StoreId == opening.StoreId && b.Sku == opening.Sku));
        (balance.OnHandMilli, balance.ReservedMilli, balance.UpdatedAt).ShouldBe((Milli.From(opening.Quantity), 0L, Now));
        (await host.Query(db => db.StockBalances.LongCountAsync(b => b.OnHandMilli == 0))).ShouldBeGreaterThan(0);

        var templates = await host.Query(db => db.SlotTemplates.AsNoTracking().Where(t => t.StoreId == "bkk-01" && t.DayOfWeek == DayOfWeek.Sunday)
            .OrderBy(t => t.LocalStart).ToListAsync());
        templates.Select(t => (t.LocalStart.Hour, t.Capacity, t.CutOffMinutes)).ShouldBe(
            Enumerable.Range(8, 13).Select(h => (h, h is >= 17 and < 20 ? 30 : 20, 120)));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
