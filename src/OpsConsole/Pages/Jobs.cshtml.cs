using Grocery.Workflows.Api.Jobs;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>The jobs: schedules in each store's time zone, last run with progress, run now, pause and resume (the API's own actions, audited).</summary>
public sealed class JobsModel(WorkflowDbContext db, IJobControl control, AuditTrail audit) : PageModel
{
    public IReadOnlyList<JobDetails> Jobs { get; private set; } = [];
    public string? Outcome { get; private set; }
    public bool Refused { get; private set; }

    public async Task OnGetAsync() => Jobs = await JobEndpoints.Details(control, db, HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostRunAsync([FromForm] string name)
    {
        var (runId, refused) = await JobEndpoints.RequestRun(HttpContext, name, null, control, audit, HttpContext.RequestAborted);
        return await Done(refused, runId is { } id ? $"Run {id} of {name} queued." : null);
    }

    public async Task<IActionResult> OnPostPauseAsync([FromForm] string name) =>
        await Done(await JobEndpoints.PauseFor(HttpContext, name, control, audit, HttpContext.RequestAborted), $"{name} paused.");

    public async Task<IActionResult> OnPostResumeAsync([FromForm] string name) =>
        await Done(await JobEndpoints.ResumeFor(HttpContext, name, control, audit, HttpContext.RequestAborted), $"{name} resumed.");

    private async Task<IActionResult> Done(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? refused, string? done)
    {
        (Outcome, Refused) = refused is null ? (done, false) : (refused.ProblemDetails.Detail ?? refused.ProblemDetails.Title, true);
        if (refused is not null)
        {
            Response.StatusCode = refused.StatusCode;
        }

        await OnGetAsync();
        return Page();
    }

    public static string Progress(JobRunView run) =>
        run.Progress.Total > 0 ? $"{run.Progress.Done}/{run.Progress.Total}" : "";
}
