using System.Globalization;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Api.Stores;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>
/// One store's delivery slots for a week as a heat map (days across, windows down: booked of capacity), and its
/// closures: a day is closed (with a reason) or reopened after a dry run, through the API's own code (audited).
/// </summary>
public sealed class SlotsModel(WorkflowDbContext db, TimeProvider time, CloseStoreDayHandler close, ReopenStoreDayHandler reopen, AuditTrail audit) : PageModel
{
    public const int Days = 7;

    /// <summary>How far from today (in days, either way) a week can be shown.</summary>
    public const int MaxDaysAway = 366;

    [BindProperty(SupportsGet = true)] public string? Store { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }

    public IReadOnlyList<Store> Stores { get; private set; } = [];
    public Store? Chosen { get; private set; }
    public DateOnly FirstDay { get; private set; }
    public IReadOnlyList<DateOnly> Dates { get; private set; } = [];

    /// <summary>Local window start (time of day) to the slots of that window by local date.</summary>
    public IReadOnlyList<(TimeOnly Window, IReadOnlyDictionary<DateOnly, SlotCell> Cells)> Rows { get; private set; } = [];
    public IReadOnlyList<StoreClosure> Closures { get; private set; } = [];
    public string? Problem { get; private set; }

    public async Task OnGetAsync()
    {
        var cancellationToken = HttpContext.RequestAborted;
        var visible = Caller.Of(HttpContext).Stores?.ToList();
        Stores = await db.Stores.AsNoTracking().Where(s => visible == null || visible.Contains(s.StoreId)).OrderBy(s => s.StoreId).ToListAsync(cancellationToken);
        Chosen = Stores.FirstOrDefault(s => s.StoreId == Store) ?? (Stores.Count > 0 ? Stores[0] : null);
        if (Chosen is null)
        {
            return;
        }

        var today = CatalogSeed.LocalToday(Chosen, time.GetUtcNow());
        FirstDay = today;
        if (!string.IsNullOrWhiteSpace(From))
        {
            if (!TryDay(From, out var from))
            {
                Problem = "The date is a day written YYYY-MM-DD.";
            }
            else if (from < today.AddDays(-MaxDaysAway) || from > today.AddDays(MaxDaysAway))
            {
                // Slots are made weeks ahead and kept for months: a week further than a year away has none (and the
                // week after 9999-12-31 does not exist).
                Problem = "Choose a week within a year of today.";
            }
            else
            {
                FirstDay = from;
            }
        }

        Dates = [.. Enumerable.Range(0, Days).Select(FirstDay.AddDays)];
        var (start, _) = CatalogSeed.LocalDayInUtc(Chosen, FirstDay);
        var (_, end) = CatalogSeed.LocalDayInUtc(Chosen, FirstDay.AddDays(Days - 1));
        var storeId = Chosen.StoreId;
        var slots = await db.DeliverySlots.AsNoTracking().Where(s => s.StoreId == storeId && s.WindowStart >= start && s.WindowStart < end)
            .Select(s => new { s.WindowStart, s.WindowEnd, s.Capacity, s.Held, s.Confirmed }).ToListAsync(cancellationToken);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Chosen.TimeZone);
        Rows = [.. slots
            .Select(s => (Local: TimeZoneInfo.ConvertTime(s.WindowStart, zone), Cell: new SlotCell(s.Capacity, s.Held, s.Confirmed, TimeZoneInfo.ConvertTime(s.WindowEnd, zone).TimeOfDay)))
            .GroupBy(s => TimeOnly.FromTimeSpan(s.Local.TimeOfDay))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, (IReadOnlyDictionary<DateOnly, SlotCell>)g.GroupBy(s => DateOnly.FromDateTime(s.Local.DateTime)).ToDictionary(d => d.Key, d => d.First().Cell)))];
        var last = FirstDay.AddDays(Days - 1);
        Closures = await db.StoreClosures.AsNoTracking().Where(c => c.StoreId == storeId && c.Date >= today).OrderBy(c => c.Date).ToListAsync(cancellationToken);
        ClosedDays = Closures.Where(c => c.Date >= FirstDay && c.Date <= last).Select(c => c.Date).ToHashSet();
    }

    public IReadOnlySet<DateOnly> ClosedDays { get; private set; } = new HashSet<DateOnly>();

    /// <summary>The dry run of closing a day, shown with the form that closes it.</summary>
    public CloseStoreDayPreview? ClosePreview { get; private set; }

    /// <summary>The closure a reopen would remove, shown with the form that reopens it.</summary>
    public StoreClosure? ReopenPreview { get; private set; }

    public string? Outcome { get; private set; }

    public string? OutcomeDetail { get; private set; }

    public bool Refused { get; private set; }

    public async Task<IActionResult> OnPostClosePreviewAsync([FromForm] string? day)
    {
        if (await ForAction(day) is not { } date)
        {
            return Page();
        }

        ClosePreview = await close.DryRun(Chosen!.StoreId, date, HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostCloseAsync([FromForm] string? day, [FromForm] string? reason)
    {
        if (await ForAction(day) is not { } date)
        {
            return Page();
        }

        var (_, refused) = await StoreEndpoints.CloseFor(HttpContext, Chosen!.StoreId, day!, reason, close, audit, HttpContext.RequestAborted);
        if (refused is not null)
        {
            ClosePreview = await close.DryRun(Chosen.StoreId, date, HttpContext.RequestAborted);
            return Refuse(refused, "The day was not closed.");
        }

        (Outcome, Refused) = ("The day is closed. The next slot generation removes its slots that have no booking.", false);
        await OnGetAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostReopenPreviewAsync([FromForm] string? day)
    {
        if (await ForAction(day) is not { } date)
        {
            return Page();
        }

        ReopenPreview = Closures.FirstOrDefault(c => c.Date == date);
        if (ReopenPreview is null)
        {
            (Outcome, Refused) = ("That day is not closed.", true);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostReopenAsync([FromForm] string? day)
    {
        if (await ForAction(day) is null)
        {
            return Page();
        }

        if (await StoreEndpoints.ReopenFor(HttpContext, Chosen!.StoreId, day!, reopen, audit, HttpContext.RequestAborted) is { } refused)
        {
            return Refuse(refused, "The day was not reopened.");
        }

        (Outcome, Refused) = ("The day is open again. The next slot generation makes its slots.", false);
        await OnGetAsync();
        return Page();
    }

    /// <summary>The page loaded and the day of an action read; an action is for the store the form names, which the operator may see.</summary>
    private async Task<DateOnly?> ForAction(string? day)
    {
        await OnGetAsync();
        if (Chosen is null || Chosen.StoreId != Store)
        {
            (Outcome, Refused) = ("Choose one of your stores first.", true);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return null;
        }

        if (!TryDay(day, out var date))
        {
            (Outcome, Refused) = ("The date is a day written YYYY-MM-DD.", true);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        return date;
    }

    /// <summary>A day written YYYY-MM-DD, as the page's week and its actions take it.</summary>
    private static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private PageResult Refuse(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult refused, string outcome)
    {
        (Outcome, OutcomeDetail, Refused) = (outcome, refused.ProblemDetails.Detail, true);
        Response.StatusCode = refused.StatusCode;
        return Page();
    }

    public string Link(DateOnly from) => $"/ops/slots?store={Uri.EscapeDataString(Chosen?.StoreId ?? "")}&from={from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}

/// <summary>One slot: places, holds and confirmed bookings, and where its window ends (local time of day).</summary>
public sealed record SlotCell(int Capacity, int Held, int Confirmed, TimeSpan Ends)
{
    public int Booked => Held + Confirmed;

    /// <summary>Heat classes: 0 to 4 as the slot fills, "full" when no place is left, "none" without capacity.</summary>
    public string Heat
    {
        get
        {
            if (Capacity <= 0)
            {
                return "none";
            }

            return Booked >= Capacity ? "full" : $"h{Math.Min(4, 5 * Booked / Capacity)}";
        }
    }
}
