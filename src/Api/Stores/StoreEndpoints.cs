using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Stores;

public sealed record StoreView(string StoreId, string Name, string City, string TimeZone, string Currency);

public sealed record ProductView(string Sku, string Name, string Category, string Unit, long Price, string Currency, decimal Available);

public sealed record ProductPage(IReadOnlyList<ProductView> Items, string? NextCursor);

/// <summary>The storefront's catalogue: stores, and products with price and stock at a store.</summary>
public static class StoreEndpoints
{
    public static IEndpointRouteBuilder MapStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/api/stores").WithTags("Stores");
        stores.MapGet("/", List).WithSummary("Every store with its time zone and currency.");
        stores.MapGet("/{storeId}/products", Products).WithSummary("Products at a store: price in its currency and stock available; keyset paging by SKU.");
        return app;
    }

    private static async Task<Ok<StoreView[]>> List(WorkflowDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Stores.AsNoTracking().OrderBy(s => s.StoreId)
            .Select(s => new StoreView(s.StoreId, s.Name, s.City, s.TimeZone, s.Currency)).ToArrayAsync(cancellationToken));

    private static async Task<Results<Ok<ProductPage>, ProblemHttpResult>> Products(
        string storeId, string? search, int? limit, string? cursor, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (!Problems.TryLimit(limit, 50, 500, out var take, out var problem))
        {
            return problem!;
        }

        if (search is { Length: > 100 } || (search is not null && Problems.HasControlCharacters(search)))
        {
            return Problems.Invalid("search", "search must be at most 100 printable characters.");
        }

        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == storeId, cancellationToken);
        if (store is null)
        {
            return Problems.NotFound("Store", $"There is no store '{storeId}'.");
        }

        var products = db.Products.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{search.Trim().ToLowerInvariant()}%";
            products = products.Where(p => EF.Functions.Like(p.Name.ToLower(), pattern) || EF.Functions.Like(p.Sku.ToLower(), pattern));
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            products = products.Where(p => string.Compare(p.Sku, cursor) > 0);
        }

        var page = await products.OrderBy(p => p.Sku).Take(take + 1)
            .Select(p => new
            {
                Product = p,
                Stock = db.StockBalances.Where(b => b.StoreId == storeId && b.Sku == p.Sku)
                    .Select(b => (long?)(b.OnHandMilli - b.ReservedMilli)).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);

        var items = page.Take(take).Select(x => new ProductView(x.Product.Sku, x.Product.Name, x.Product.Category, x.Product.Unit.ToString(),
            CatalogPricing.PriceAt(store, x.Product), store.Currency, Math.Max(0, x.Stock ?? 0) / 1000m)).ToList();
        return TypedResults.Ok(new ProductPage(items, page.Count > take ? items[^1].Sku : null));
    }
}
