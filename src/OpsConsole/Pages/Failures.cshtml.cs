using Grocery.Workflows.Api.Failures;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Views;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Failures;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>
/// Failed messages grouped by cause. A group (or one failure) is replayed in two steps: a dry run that lists what would
/// be sent where and what would be refused, then the replay, each failure through the API's own replay (audited).
/// </summary>
public sealed class FailuresModel(WorkflowDbContext db, ReplayFailureHandler replay, AuditTrail audit) : PageModel
{
    /// <summary>At most this many failures are replayed by one action.</summary>
    public const int MaxReplay = 200;

    [BindProperty(SupportsGet = true)] public string? Message { get; set; }
    [BindProperty(SupportsGet = true)] public string? Group { get; set; }

    public IReadOnlyList<FailureGroup> Groups { get; private set; } = [];
    public IReadOnlyList<ReplayPreview>? Preview { get; private set; }
    public bool Force { get; private set; }
    public IReadOnlyList<(long Id, string Outcome, bool Refused)>? Replayed { get; private set; }

    public async Task OnGetAsync() => Groups = await FailureGroups.Load(db, Caller.Of(HttpContext), Message, HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostPreviewAsync([FromForm] bool force)
    {
        await OnGetAsync();
        Force = force;
        Preview = await replay.DryRun(Selected(), force, HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostReplayAsync([FromForm] bool force)
    {
        await OnGetAsync();
        var outcomes = new List<(long, string, bool)>();
        foreach (var id in Selected())
        {
            var (replayed, refused) = await FailureEndpoints.ReplayFor(HttpContext, id, force, db, replay, audit, HttpContext.RequestAborted);
            outcomes.Add(replayed is not null ? (id, "replayed", false) : (id, refused!.ProblemDetails.Detail ?? refused.ProblemDetails.Title ?? "refused", true));
        }

        Replayed = outcomes;
        Groups = await FailureGroups.Load(db, Caller.Of(HttpContext), Message, HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>The failures of the chosen group (a fingerprint), or the one failure (a number), at most <see cref="MaxReplay"/>.</summary>
    private List<long> Selected()
    {
        if (long.TryParse(Group, System.Globalization.CultureInfo.InvariantCulture, out var one))
        {
            return Groups.Any(g => g.Ids.Contains(one)) ? [one] : [];
        }

        return [.. (Groups.FirstOrDefault(g => g.Fingerprint == Group)?.Ids ?? []).Take(MaxReplay)];
    }
}
