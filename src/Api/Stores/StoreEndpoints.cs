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

public sealed record ProductView(string Sku, string Name, string Category, string Unit, long Price, string Currency, decimal Available);

public sealed record ClosureView(DateOnly Date, string Reason);

public sealed record CloseDayRequest(string? Reason);

public sealed record ProductPage(IReadOnlyList<ProductView> Items, string? NextCursor);

/// <summary>The storefront's catalogue: stores, and products with price and stock at a store.</summary>
public static class StoreEndpoints
{
    /// <summary>How far ahead a closure may be planned.</summary>
    public const int MaxClosureDaysAhead = CloseStoreDayHandler.MaxDaysAhead;

    public static IEndpointRouteBuilder MapStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/api/stores").WithTags("Stores");
        stores.MapGet("/", List).RequireAuthorization(GroceryPolicies.StorefrontOrOps).WithSummary("Every store with its time zone and currency.");
        stores.MapGet("/{storeId}/products", Products).RequireAuthorization(GroceryPolicies.StorefrontOrOps).WithSummary("Products at a store: price in its currency and stock available; keyset paging by SKU.");
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

        if (search is { Length: > 100 } || (search is not null && Problems.IsNotPlainText(search)))
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
