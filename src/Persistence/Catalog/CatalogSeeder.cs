using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>What one seeding inserted (all zero when the catalogue was already there) and how long it took.</summary>
internal sealed record CatalogSeedResult(int Stores, int Products, int StockBalances, int SlotTemplates, int DeliverySlots, TimeSpan Elapsed);

/// <summary>
/// On first start (no store yet) inserts the demo catalogue of <see cref="CatalogSeed"/> in one transaction: stores
/// and slot templates through EF Core, products and stock balances in bulk, then the slots of the next
/// <see cref="SeedSettings.SlotDays"/> days. Registered right after the migrator, so it runs on the current schema and
/// before the bus consumes anything.
/// </summary>
internal sealed partial class CatalogSeeder(
    IServiceScopeFactory scopes,
    StartupLock startupLock,
    WriteGate gate,
    TimeProvider time,
    IOptions<SeedSettings> options,
    ILogger<CatalogSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled();
            return;
        }

        var seeded = await SeedAsync(cancellationToken);
        if (seeded.Stores == 0)
        {
            LogAlreadySeeded();
            return;
        }

        LogSeeded((long)seeded.Elapsed.TotalMilliseconds, seeded.Stores, seeded.Products, seeded.StockBalances, seeded.SlotTemplates, seeded.DeliverySlots);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Seeds unless a store exists, whatever <see cref="SeedSettings.Enabled"/> says.</summary>
    internal async Task<CatalogSeedResult> SeedAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        // Instances that start together on one database seed one after the other; the second finds the stores.
        await using var held = await startupLock.Acquire(cancellationToken);
        using var writer = await gate.Enter(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        if (await db.Stores.AnyAsync(cancellationToken))
        {
            var filled = await FillSearchText(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (filled > 0)
            {
                LogSearchTextFilled(filled);
            }

            return new CatalogSeedResult(0, 0, 0, 0, 0, time.GetElapsedTime(started));
        }

        var stores = CatalogSeed.Stores();
        var templates = CatalogSeed.SlotTemplates(stores);
        var products = CatalogSeed.Products();
        db.Stores.AddRange(stores);
        db.SlotTemplates.AddRange(templates);
        await db.SaveChangesAsync(cancellationToken);

        var productRows = await CatalogBulkWriter.InsertProducts(db, products, cancellationToken);

        // The seed is the opening balance: the ledger records movements from here on, so it gets no row per balance.
        var now = time.GetUtcNow();
        var balanceRows = await CatalogBulkWriter.InsertStockBalances(db,
            CatalogSeed.OpeningBalances(stores, products).Select(b => new StockBalance
            {
                StoreId = b.StoreId, Sku = b.Sku, OnHandMilli = Milli.From(b.Quantity), UpdatedAt = now,
            }),
            cancellationToken);

        var slots = await scope.ServiceProvider.GetRequiredService<DeliverySlotGenerator>().GenerateAsync(options.Value.SlotDays, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // Fresh statistics for the bulk-loaded tables: without them PostgreSQL guesses a handful of rows per category
        // and plans the substitute search as a sort of thousands of rows (23 ms) instead of an index walk (3 ms).
        await db.Database.ExecuteSqlRawAsync("ANALYZE products; ANALYZE stock_balances; ANALYZE delivery_slots;", cancellationToken);
        return new CatalogSeedResult(stores.Count, productRows, balanceRows, templates.Count, slots.Created, time.GetElapsedTime(started));
    }

    /// <summary>
    /// Products written before names were searchable (migration <c>ProductSearch</c>) get their Vietnamese name from the
    /// seed, where the seed has their SKU, and their search text; the search indexes take them up through the update.
    /// </summary>
    private static async Task<int> FillSearchText(WorkflowDbContext db, CancellationToken cancellationToken)
    {
        var missing = await db.Products.AsNoTracking().Where(p => p.SearchText == "").ToListAsync(cancellationToken);
        if (missing.Count == 0)
        {
            return 0;
        }

        var seeded = CatalogSeed.Products().ToDictionary(p => p.Sku, p => p.NameVi, StringComparer.Ordinal);
        foreach (var product in missing.Where(p => p.NameVi.Length == 0))
        {
            product.NameVi = seeded.GetValueOrDefault(product.Sku, "");
        }

        return await CatalogBulkWriter.UpdateProductNames(db, missing, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Made {Products} products searchable: Vietnamese names from the seed and search text")]
    private partial void LogSearchTextFilled(int products);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Seeded the catalogue in {ElapsedMilliseconds} ms: {Stores} stores, {Products} products, {StockBalances} stock balances, {SlotTemplates} slot templates, {DeliverySlots} delivery slots")]
    private partial void LogSeeded(long elapsedMilliseconds, int stores, int products, int stockBalances, int slotTemplates, int deliverySlots);

    [LoggerMessage(Level = LogLevel.Information, Message = "The catalogue is already there; nothing seeded")]
    private partial void LogAlreadySeeded();

    [LoggerMessage(Level = LogLevel.Information, Message = "Seed:Enabled is false; nothing seeded")]
    private partial void LogDisabled();
}

internal static class CatalogSeedRegistration
{
    /// <summary>The seed settings, the slot generator and the seeder. Call right after registering the migrator.</summary>
    public static IServiceCollection AddCatalogSeed(this IServiceCollection services)
    {
        services.AddOptions<SeedSettings>().BindConfiguration("Seed").ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<DeliverySlotGenerator>();
        services.AddHostedService<CatalogSeeder>();
        return services;
    }
}
