using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Consumers.Delivery;
using Grocery.Workflows.Consumers.Delivery.Grab;
using Grocery.Workflows.Consumers.Delivery.StoreFleet;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Delivery;

public sealed record CourierUpdateAnswer(string EventId, string Outcome);

/// <summary>A store dispatcher's report of its own driver on a fleet booking.</summary>
public sealed record FleetUpdateRequest(int Attempt, string? Status, string? Courier, string? Reason);

/// <summary>
/// What couriers report: Grab's status webhook (verified by the credentials agreed with Grab, then applied once and
/// in order), and the store dispatcher's updates of a store-fleet booking (ops, within their stores, audited).
/// </summary>
public static class CourierEndpoints
{
    private static readonly Dictionary<string, CourierStatus> FleetStatuses = new(StringComparer.Ordinal)
    {
        ["assigned"] = CourierStatus.CourierAssigned, ["picked-up"] = CourierStatus.PickedUp, ["delivered"] = CourierStatus.Delivered,
        ["returned"] = CourierStatus.Returned, ["failed"] = CourierStatus.Failed, ["cancelled"] = CourierStatus.Cancelled,
    };

    public static IEndpointRouteBuilder MapCourierEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks/couriers/grab", Grab).WithTags("Webhooks")
            // Grab signs nothing; the webhook's Authorization header is checked against the agreed credentials before anything is read.
            .AllowAnonymous().WithBodyLimit(RequestLimits.WebhookBody)
            .WithSummary("GrabExpress's delivery status webhook: Authorization (and Authorization-Id) as agreed with Grab; applied once per delivery, status and time; an update older than the last one applied is ignored.");
        app.MapPost("/api/deliveries/{orderId:guid}/fleet-updates", Fleet).WithTags("Delivery").RequireAuthorization(GroceryPolicies.Ops)
            .WithBodyLimit(RequestLimits.SmallBody)
            .WithSummary("The store's dispatcher reports its own driver on a store-fleet booking: assigned, picked-up, delivered, returned, failed or cancelled. Audited.");
        return app;
    }

    private static async Task<IResult> Grab(HttpRequest request, GrabWebhook webhook, ApplyCourierUpdate apply, CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        CourierUpdate update;
        try
        {
            update = webhook.Read(System.Text.Encoding.UTF8.GetString(body.Bytes.Span), name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null);
        }
        catch (CourierUpdateRejectedException e)
        {
            return Problems.BadRequest("Webhook refused", e.Message);
        }

        var outcome = await apply.Handle(update, cancellationToken);
        return TypedResults.Ok(new CourierUpdateAnswer(update.EventId, Words(outcome)));
    }

    private static async Task<IResult> Fleet(Guid orderId, HttpRequest request, WorkflowDbContext db, ApplyCourierUpdate apply, AuditTrail audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (!body.Bind<FleetUpdateRequest>().TryGet(out var given) || given.Status is null || !FleetStatuses.TryGetValue(given.Status, out var status))
        {
            return Problems.Invalid("status", $"The body is {{\"attempt\", \"status\", \"courier\", \"reason\"}}; status is one of {string.Join(", ", FleetStatuses.Keys)}.");
        }

        if (given.Courier is { Length: > 100 } || given.Reason is { Length: > 200 }
            || (given.Courier is not null && Problems.IsNotPlainText(given.Courier)) || (given.Reason is not null && Problems.IsNotPlainText(given.Reason)))
        {
            return Problems.Invalid("courier", "courier is at most 100 and reason at most 200 characters of plain text.");
        }

        var booking = await db.Set<CourierBookingRow>().AsNoTracking()
            .SingleOrDefaultAsync(b => b.OrderId == orderId && b.Attempt == given.Attempt && b.Provider == StoreFleetGateway.Name, cancellationToken);
        var store = await db.OrderRequests.AsNoTracking().Where(r => r.OrderId == orderId).Select(r => r.StoreId).SingleOrDefaultAsync(cancellationToken);
        if (booking is null || store is null)
        {
            return Problems.NotFound("Fleet booking", $"Order {orderId} has no store-fleet booking of attempt {given.Attempt}.");
        }

        if (!Caller.Of(request.HttpContext).MayActAt(store))
        {
            return Refusals.Store();
        }

        var now = time.GetUtcNow();
        var update = new CourierUpdate(StoreFleetGateway.Name, $"fleet:{orderId:N}:{given.Attempt}:{given.Status}:{now.ToUnixTimeMilliseconds()}", booking.DeliveryId,
            orderId, given.Attempt, status, now, given.Courier is { Length: > 0 } courier ? "fleet: " + courier : null, null, given.Reason);
        var outcome = await apply.Handle(update, cancellationToken);
        await audit.RecordAlone(Audited.Action(request.HttpContext, "delivery.fleet-update", orderId.ToString(), store,
            new JsonObject { ["attempt"] = given.Attempt, ["status"] = given.Status, ["courier"] = given.Courier, ["reason"] = given.Reason }),
            Words(outcome), CancellationToken.None);
        return TypedResults.Ok(new CourierUpdateAnswer(update.EventId, Words(outcome)));
    }

    private static string Words(CourierUpdateOutcome outcome) => outcome switch
    {
        CourierUpdateOutcome.Applied => "applied",
        CourierUpdateOutcome.Duplicate => "duplicate",
        CourierUpdateOutcome.Stale => "older than the last update: ignored",
        CourierUpdateOutcome.UnknownBooking => "no booking of this engine has that delivery",
        CourierUpdateOutcome.Recorded => "recorded",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
