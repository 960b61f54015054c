using System.Globalization;
using Grocery.Workflows.Api.Orders;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>Orders found by id, customer, store, state and day (the store's local day), newest first, 50 a page, keyset paging.</summary>
public sealed class OrdersModel(WorkflowDbContext db) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Customer { get; set; }
    [BindProperty(SupportsGet = true)] public string? Store { get; set; }
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public string? Date { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    public IReadOnlyList<OrderSummary> Items { get; private set; } = [];
    public IReadOnlyList<Store> Stores { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public string? Problem { get; private set; }

    public static IReadOnlyList<string> States { get; } = [OrderEndpoints.SubmittedState, .. Views.NowQuery.OrderSteps];

    public async Task<IActionResult> OnGetAsync()
    {
        var cancellationToken = HttpContext.RequestAborted;
        var caller = Caller.Of(HttpContext);
        var visible = caller.Stores?.ToList();
        Stores = await db.Stores.AsNoTracking().Where(s => visible == null || visible.Contains(s.StoreId)).OrderBy(s => s.StoreId)
            .ToListAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            // An order id goes straight to its page.
            if (Guid.TryParse(Q.Trim(), out var id))
            {
                return Redirect($"/ops/orders/{id}");
            }

            Problem = "Search by an order id (a GUID); use the fields below for the rest.";
            return Page();
        }

        DateTimeOffset? from = null, to = null;
        if (!string.IsNullOrWhiteSpace(Date))
        {
            if (!DateOnly.TryParseExact(Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                Problem = "The date is a day written YYYY-MM-DD.";
                return Page();
            }

            // The store's local day when one store is chosen, else the UTC day.
            (from, to) = Stores.FirstOrDefault(s => s.StoreId == Store) is { } store
                ? CatalogSeed.LocalDayInUtc(store, day)
                : (new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        }

        long? before = null;
        if (!string.IsNullOrWhiteSpace(After))
        {
            if (!long.TryParse(After, CultureInfo.InvariantCulture, out var ticks) || ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                Problem = "That page link is broken; start from the first page.";
                return Page();
            }

            before = ticks;
        }

        var page = await OrderEndpoints.Search(db, new OrderQuery(
            State: Blank(State), CustomerId: Blank(Customer), StoreId: Blank(Store), Stores: visible, From: from, To: to, BeforeTicks: before),
            PageSize, cancellationToken);
        Items = page.Items;
        NextCursor = page.NextCursor;
        return Page();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public string? ZoneOf(string storeId) => Stores.FirstOrDefault(s => s.StoreId == storeId)?.TimeZone;

    /// <summary>This search's link for the next page.</summary>
    public string NextLink() => Microsoft.AspNetCore.Http.QueryString.Create(new Dictionary<string, string?>
    {
        ["customer"] = Customer, ["store"] = Store, ["state"] = State, ["date"] = Date, ["after"] = NextCursor,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
