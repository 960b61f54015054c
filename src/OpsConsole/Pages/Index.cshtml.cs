using Grocery.Workflows.Api.Jobs;
using Grocery.Workflows.OpsConsole.Views;
using Grocery.Workflows.Persistence;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.OpsConsole.Pages;

public sealed class IndexModel(WorkflowDbContext db, IJobControl jobs, IOptions<StuckBounds> bounds, TimeProvider time) : PageModel
{
    public NowView View { get; private set; } = null!;

    public async Task OnGetAsync() => View = await NowQuery.Load(db, jobs, bounds.Value, time.GetUtcNow(), HttpContext.RequestAborted);
}
