using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Views;
using Grocery.Workflows.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>Instances in a state for longer than its bound (Ops:Stuck, the same table as the stuck-saga alerts).</summary>
public sealed class StuckModel(WorkflowDbContext db, IOptions<StuckBounds> bounds, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Saga { get; set; }
    [BindProperty(SupportsGet = true)] public string? State { get; set; }

    public IReadOnlyList<StuckInstance> Items { get; private set; } = [];
    public DateTimeOffset At { get; private set; }

    public async Task OnGetAsync()
    {
        At = time.GetUtcNow();
        var saga = Sagas.SagaCatalog.Find(Saga ?? "")?.Name;
        Items = await StuckQuery.Load(db, bounds.Value, At, saga, string.IsNullOrWhiteSpace(State) ? null : State.Trim(),
            Caller.Of(HttpContext).Stores?.ToList(), HttpContext.RequestAborted);
    }
}
