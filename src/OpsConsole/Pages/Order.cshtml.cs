using Grocery.Workflows.Api.Orders;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Views;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Api.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Grocery.Workflows.Sagas;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>
/// One order: its five sagas on one time axis, deadlines, payment, picked lines and substitutions, failures and audit,
/// updated live. Actions take two steps: a dry run that says what would happen, then the action with a reason, audited.
/// </summary>
public sealed class OrderModel(WorkflowDbContext db, CancelOrderHandler cancel, OrderDeadlineHandler deadlines, ResendPendingCommandHandler resend, AuditTrail audit, TimeProvider time,
    IServiceProvider services) : PageModel
{
    [BindProperty(SupportsGet = true)] public Guid OrderId { get; set; }

    /// <summary><c>live</c>: only the part the live updates replace.</summary>
    [BindProperty(SupportsGet = true)] public string? Part { get; set; }

    public OrderDetailView View { get; private set; } = null!;

    public CancelOrderPreview? CancelPreview { get; private set; }

    /// <summary>The dry run of an extend or fire-now action: its title, the handler that acts, the deadline, and what it found.</summary>
    public (string Title, string Handler, long? Deadline, string? Saga, OrderActionPreview Preview)? ActionPreview { get; private set; }

    /// <summary>The outcome of an action just taken (a text key), and whether it was refused.</summary>
    public string? Outcome { get; private set; }

    public string? OutcomeDetail { get; private set; }

    public bool Refused { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await Load() ?? (Part == "live" ? Partial("_OrderLive", this) : Page());

    /// <summary>The cancel's dry run: what a cancel would do to the order as it is now.</summary>
    public async Task<IActionResult> OnPostCancelPreviewAsync()
    {
        if (await Load() is { } missing)
        {
            return missing;
        }

        CancelPreview = await cancel.DryRun(OrderId, HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync([FromForm] string? reason)
    {
        if (await Load() is { } missing)
        {
            return missing;
        }

        reason = reason?.Trim();
        if (reason is not { Length: > 0 and <= 200 } || Api.Problems.IsNotPlainText(reason))
        {
            CancelPreview = await cancel.DryRun(OrderId, HttpContext.RequestAborted);
            (Outcome, Refused) = ("A reason is required: 1 to 200 characters of plain text.", true);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var refused = await OrderEndpoints.CancelFor(HttpContext, OrderId, reason, db, cancel, audit, HttpContext.RequestAborted);
        (Outcome, OutcomeDetail, Refused) = refused is null
            ? ("Cancel asked for. The order saga cancels it unless picking started first; watch its timeline.", null, false)
            : ("The cancel was refused.", refused.ProblemDetails.Detail, true);
        if (refused is not null)
        {
            Response.StatusCode = refused.StatusCode;
        }

        return await Load() ?? Page();
    }

    public async Task<IActionResult> OnPostExtendPreviewAsync()
    {
        if (await Load() is { } missing)
        {
            return missing;
        }

        ActionPreview = ("Dry run: extend the slot hold", "Extend", null, null, await deadlines.ExtendPreview(OrderId, HttpContext.RequestAborted));
        return Page();
    }

    public async Task<IActionResult> OnPostExtendAsync([FromForm] string? reason) =>
        await Act(reason, AuditActions.OrderExtendHold, ("Dry run: extend the slot hold", "Extend", null, null), audited => deadlines.Extend(new ExtendSlotHoldCommand(OrderId, audited), HttpContext.RequestAborted),
            () => deadlines.ExtendPreview(OrderId, HttpContext.RequestAborted), "Slot hold extension asked for. The slot reservation saga extends it if the slot still has room.");

    public async Task<IActionResult> OnPostFirePreviewAsync([FromForm] long deadline)
    {
        if (await Load() is { } missing)
        {
            return missing;
        }

        ActionPreview = ("Dry run: fire the deadline now", "Fire", deadline, null, await deadlines.FirePreview(OrderId, deadline, HttpContext.RequestAborted));
        return Page();
    }

    public async Task<IActionResult> OnPostFireAsync([FromForm] long deadline, [FromForm] string? reason) =>
        await Act(reason, AuditActions.OrderDeadlineNow, ("Dry run: fire the deadline now", "Fire", deadline, null),
            audited => deadlines.Fire(new FireDeadlineCommand(OrderId, deadline, audited), HttpContext.RequestAborted),
            () => deadlines.FirePreview(OrderId, deadline, HttpContext.RequestAborted), "The deadline fires now; watch the order's timeline.");

    /// <summary>An action after its dry run: a reason is required; the command checks again, acts and audits, or refuses (audited too).</summary>
    public async Task<IActionResult> OnPostResendPreviewAsync([FromForm] string? saga)
    {
        if (await Load() is { } missing)
        {
            return missing;
        }

        ActionPreview = ("Dry run: send the pending command again", "Resend", null, saga, await resend.DryRun(OrderId, saga ?? "", HttpContext.RequestAborted));
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync([FromForm] string? saga, [FromForm] string? reason) =>
        await Act(reason, AuditActions.OrderResendCommand, ("Dry run: send the pending command again", "Resend", null, saga),
            audited => resend.Handle(new ResendPendingCommandRequest(OrderId, saga ?? "", audited), HttpContext.RequestAborted),
            () => resend.DryRun(OrderId, saga ?? "", HttpContext.RequestAborted), "Sent again. The saga publishes its command once more; watch the order's timeline.");

    private async Task<IActionResult> Act(string? reason, string action, (string Title, string Handler, long? Deadline, string? Saga) form,
        Func<AuditedAction, Task<Persistence.Refusal?>> act, Func<Task<OrderActionPreview>> preview, string done)
    {
        if (await Load() is { } missing)
        {
            return missing;
        }

        reason = reason?.Trim();
        if (reason is not { Length: > 0 and <= 200 } || Api.Problems.IsNotPlainText(reason))
        {
            ActionPreview = (form.Title, form.Handler, form.Deadline, form.Saga, await preview());
            (Outcome, Refused) = ("A reason is required: 1 to 200 characters of plain text.", true);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var audited = Api.Audit.Audited.Action(HttpContext, action, OrderId.ToString(), View.Order.StoreId, new System.Text.Json.Nodes.JsonObject { ["reason"] = reason });
        var refused = await act(audited);
        if (refused is not null)
        {
            await audit.Refused(audited, Api.RefusalProblems.ToProblem(refused), HttpContext.RequestAborted);
            (Outcome, OutcomeDetail, Refused) = ("The action was refused.", refused.Detail, true);
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        else
        {
            (Outcome, Refused) = (done, false);
        }

        return await Load() ?? Page();
    }

    /// <summary>Null when the order is shown; otherwise the answer (404 for no such order, 403 for a store the operator may not see).</summary>
    private async Task<IActionResult?> Load()
    {
        var cancellationToken = HttpContext.RequestAborted;
        if (await OrderEndpoints.Refuse(Caller.Of(HttpContext), OrderId, db, cancellationToken) is { } refused)
        {
            return StatusCode(refused.StatusCode);
        }

        var view = await OrderDetailQuery.Load(db, OrderId, time.GetUtcNow(), cancellationToken);
        if (view is null)
        {
            return NotFound();
        }

        View = view;
        return null;
    }

    /// <summary>The saga's transitions, from its state machine (the same graph as its diagram in docs/sagas.md).</summary>
    public IReadOnlyList<SagaTransition> TransitionsOf(string sagaName) =>
        SagaCatalog.Find(sagaName) is { } saga ? SagaDiagram.Transitions(services.GetRequiredService(saga.MachineType)) : [];

    /// <summary>Where on the time axis (0 to 100) a moment falls.</summary>
    public double Position(DateTimeOffset at)
    {
        var (from, to) = View.Axis;
        var span = (to - from).TotalMilliseconds;
        return span <= 0 ? 0 : Math.Clamp(100 * (at - from).TotalMilliseconds / span, 0, 100);
    }
}
