using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Stores;

public sealed record StoreView(string StoreId, string Name, string City, string TimeZone, string Currency);

public sealed record ProductView(string Sku, string Name, string NameVi, string Category, string Unit, long Price, string Currency, decimal Available);

public sealed record ClosureView(DateOnly Date, string Reason);

public sealed record CloseDayRequest(string? Reason);

/// <summary>A page of products; <paramref name="Total"/> is the number of matches in all, given with a search only.</summary>
public sealed record ProductPage(IReadOnlyList<ProductView> Items, string? NextCursor, int? Total = null);

/// <summary>The storefront's catalogue: stores, and products with price and stock at a store.</summary>
public static class StoreEndpoints
{
    /// <summary>How far ahead a closure may be planned.</summary>
    public const int MaxClosureDaysAhead = CloseStoreDayHandler.MaxDaysAhead;

    public static IEndpointRouteBuilder MapStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/api/stores").WithTags("Stores");
        stores.MapGet("/", List).RequireAuthorization(GroceryPolicies.StorefrontOrOps).WithSummary("Every store with its time zone and currency.");
        stores.MapGet("/{storeId}/products", Products).RequireAuthorization(GroceryPolicies.StorefrontOrOps)
            .WithSummary("Products at a store: price in its currency and stock available. Without search, by SKU; with search (words in Vietnamese or English, accents optional, each a word's beginning), ranked by relevance with the total. Page on with nextCursor.");
        stores.MapGet("/{storeId}/closures", Closures).RequireAuthorization(GroceryPolicies.Ops).WithSummary("The days a store is closed (no delivery slots), from today on.");
        stores.MapPut("/{storeId}/closures/{date}", Close).RequireAuthorization(GroceryPolicies.Ops).Accepts<CloseDayRequest>("application/json").WithBodyLimit(RequestLimits.SmallBody)
            .WithSummary("Closes a store on a local date (yyyy-MM-dd): the next slot generation makes no slot that day and removes its unbooked ones.");
        stores.MapDelete("/{storeId}/closures/{date}", Reopen).RequireAuthorization(GroceryPolicies.Ops).WithSummary("Reopens a closed day; the next slot generation makes its slots.");
        return app;
    }

    private static async Task<Results<Ok<ClosureView[]>, ProblemHttpResult>> Closures(
        string storeId, HttpContext context, WorkflowDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Caller.Of(context).MayActAt(storeId))
        {
            return Refusals.Store();
        }

        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == storeId, cancellationToken);
        if (store is null)
        {
            return Problems.NotFound("Store", $"There is no store '{storeId}'.");
        }

        var today = CatalogSeed.LocalToday(store, time.GetUtcNow());
        return TypedResults.Ok(await db.StoreClosures.AsNoTracking().Where(c => c.StoreId == storeId && c.Date >= today)
            .OrderBy(c => c.Date).Select(c => new ClosureView(c.Date, c.Reason)).ToArrayAsync(cancellationToken));
    }

    private static async Task<IResult> Close(
        string storeId, string date, HttpRequest request, CloseStoreDayHandler close, AuditTrail audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (!body.Bind<CloseDayRequest>().TryGet(out var given) || given.Reason is null)
        {
            return Problems.Invalid("reason", "The body is {\"reason\": \"...\"}: why the store is closed that day.");
        }

        var (closed, refused) = await CloseFor(request.HttpContext, storeId, date, given.Reason, close, audit, cancellationToken);
        return refused ?? (IResult)TypedResults.Ok(closed);
    }

    /// <summary>
    /// Closes a store day for the caller, as <c>PUT /api/stores/{id}/closures/{date}</c> and the ops console do: the
    /// caller's stores, the date and the reason checked, the closure and its audit row written together, a refusal audited.
    /// </summary>
    public static async Task<(ClosureView? Closed, ProblemHttpResult? Refused)> CloseFor(
        HttpContext context, string storeId, string date, string? reason, CloseStoreDayHandler close, AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(close);
        ArgumentNullException.ThrowIfNull(audit);
        var audited = Audited.Action(context, AuditActions.StoreClose, $"{storeId}/{date}", storeId);
        if (!Caller.Of(context).MayActAt(storeId))
        {
            return (null, await audit.Refused(audited, Refusals.Store(), cancellationToken));
        }

        if (!TryDate(date, out var day, out var problem))
        {
            return (null, problem);
        }

        reason = reason?.Trim();
        if (reason is not { Length: > 0 and <= 200 } || Problems.IsNotPlainText(reason))
        {
            return (null, Problems.Invalid("reason", "reason is required: 1 to 200 characters of plain text."));
        }

        var closed = await close.Handle(new CloseStoreDayCommand(storeId, day, reason, audited), cancellationToken);
        return closed.Refused switch
        {
            null => (new ClosureView(day, reason), null),
            // A date outside the store's window is a bad request, not a refused action: it is not in the trail.
            { Kind: RefusalKind.Invalid } refusal => (null, refusal.ToProblem()),
            { } refusal => (null, await audit.Refused(audited, refusal.ToProblem(), cancellationToken)),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Reopen(
        string storeId, string date, HttpContext context, ReopenStoreDayHandler reopen, AuditTrail audit, CancellationToken cancellationToken) =>
        await ReopenFor(context, storeId, date, reopen, audit, cancellationToken) is { } refused ? refused : TypedResults.NoContent();

    /// <summary>Reopens a closed store day for the caller, as <c>DELETE /api/stores/{id}/closures/{date}</c> and the ops console do.</summary>
    public static async Task<ProblemHttpResult?> ReopenFor(
        HttpContext context, string storeId, string date, ReopenStoreDayHandler reopen, AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reopen);
        ArgumentNullException.ThrowIfNull(audit);
        var audited = Audited.Action(context, AuditActions.StoreReopen, $"{storeId}/{date}", storeId);
        if (!Caller.Of(context).MayActAt(storeId))
        {
            return await audit.Refused(audited, Refusals.Store(), cancellationToken);
        }

        if (!TryDate(date, out var day, out var problem))
        {
            return problem;
        }

        var reopened = await reopen.Handle(new ReopenStoreDayCommand(storeId, day, audited), cancellationToken);
        return reopened.Refused is null ? null : await audit.Refused(audited, reopened.Refused.ToProblem(), cancellationToken);
    }

    private static bool TryDate(string text, out DateOnly date, out ProblemHttpResult? problem)
    {
        var valid = DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date);
        problem = valid ? null : Problems.Invalid("date", $"'{text}' is not a date of the form yyyy-MM-dd.");
        return valid;
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

        if (search is { Length: > ProductSearchText.MaxQueryLength } || (search is not null && Problems.IsNotPlainText(search)))
        {
            return Problems.Invalid("search", $"search must be at most {ProductSearchText.MaxQueryLength} printable characters.");
        }

        var terms = search is null ? [] : ProductSearchText.Terms(search);
        if (search is not null && !string.IsNullOrWhiteSpace(search) && terms.Count == 0)
        {
            return Problems.Invalid("search", "search needs at least one letter or digit.");
        }

        var offset = 0;
        if (terms.Count > 0 && cursor is not null
            && !int.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset))
        {
            return Problems.Invalid("cursor", "cursor must be the nextCursor of the previous page of this search.");
        }

        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == storeId, cancellationToken);
        if (store is null)
        {
            return Problems.NotFound("Store", $"There is no store '{storeId}'.");
        }

        if (terms.Count > 0)
        {
            return TypedResults.Ok(await Search(db, store, terms, offset, take, cancellationToken));
        }

        var products = db.Products.AsNoTracking();
        if (!string.IsNullOrEmpty(cursor))
        {
            products = products.Where(p => string.Compare(p.Sku, cursor) > 0);
        }

        var page = await WithStock(db, storeId, products.OrderBy(p => p.Sku).Take(take + 1), cancellationToken);
        var items = page.Take(take).Select(x => View(store, x.Product, x.Stock)).ToList();
        return TypedResults.Ok(new ProductPage(items, page.Count > take ? items[^1].Sku : null));
    }

    /// <summary>A ranked page: the search gives the SKUs in order, one more query their products and this store's stock.</summary>
    private static async Task<ProductPage> Search(
        WorkflowDbContext db, Store store, IReadOnlyList<string> terms, int offset, int take, CancellationToken cancellationToken)
    {
        var found = await ProductSearch.Find(db, terms, offset, take, cancellationToken);
        var skus = found.Skus;
        var rows = await WithStock(db, store.StoreId, db.Products.AsNoTracking().Where(p => skus.Contains(p.Sku)), cancellationToken);
        var bySku = rows.ToDictionary(x => x.Product.Sku, StringComparer.Ordinal);
        var items = skus.Where(bySku.ContainsKey).Select(sku => View(store, bySku[sku].Product, bySku[sku].Stock)).ToList();
        var next = offset + skus.Count;
        return new ProductPage(items, next < found.Total ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, found.Total);
    }

    private static async Task<List<(Product Product, long? Stock)>> WithStock(
        WorkflowDbContext db, string storeId, IQueryable<Product> products, CancellationToken cancellationToken) =>
        [
            .. (await products
                .Select(p => new
                {
                    Product = p,
                    Stock = db.StockBalances.Where(b => b.StoreId == storeId && b.Sku == p.Sku)
                        .Select(b => (long?)(b.OnHandMilli - b.ReservedMilli)).FirstOrDefault(),
                })
                .ToListAsync(cancellationToken)).Select(x => (x.Product, x.Stock)),
        ];

    private static ProductView View(Store store, Product product, long? stockMilli) =>
        new(product.Sku, product.Name, product.NameVi, product.Category, product.Unit.ToString(),
            CatalogPricing.PriceAt(store, product), store.Currency, Math.Max(0, stockMilli ?? 0) / 1000m);
}
