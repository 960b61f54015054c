using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>The audit log, newest first, filtered by action, who, and target; keyset paging by id.</summary>
public sealed class AuditModel(WorkflowDbContext db) : PageModel
{
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Who { get; set; }
    [BindProperty(SupportsGet = true)] public string? Target { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public IReadOnlyList<string> Actions { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var cancellationToken = HttpContext.RequestAborted;
        var query = db.AuditLog.AsNoTracking();
        if (Caller.Of(HttpContext).Stores is { } stores)
        {
            var storeIds = stores.ToList();
            query = query.Where(a => a.StoreId != null && storeIds.Contains(a.StoreId));
        }

        Actions = await query.Select(a => a.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(Action))
        {
            query = query.Where(a => a.Action == Action);
        }

        if (!string.IsNullOrWhiteSpace(Who))
        {
            var who = Who.Trim();
            query = query.Where(a => a.Subject == who || a.Name == who);
        }

        if (!string.IsNullOrWhiteSpace(Target))
        {
            var target = Target.Trim();
            query = query.Where(a => a.Target == target);
        }

        if (Before is { } before)
        {
            query = query.Where(a => a.Id < before);
        }

        Entries = await query.OrderByDescending(a => a.Id).Take(PageSize).ToListAsync(cancellationToken);
    }

    public string NextLink() => Microsoft.AspNetCore.Http.QueryString.Create(new Dictionary<string, string?>
    {
        ["action"] = Action, ["who"] = Who, ["target"] = Target,
        ["before"] = Entries.Count == PageSize ? Entries[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
