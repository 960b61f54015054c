using System.Globalization;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grocery.Workflows.Api.Slots;

public sealed record SlotView(Guid SlotId, DateTimeOffset Start, DateTimeOffset End, DateTimeOffset CutOff, int Capacity, int Available);

/// <summary>Delivery windows of a store on a local date, with what is still bookable.</summary>
public static class SlotEndpoints
{
    public static IEndpointRouteBuilder MapSlotEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/slots").WithTags("Slots").RequireAuthorization(GroceryPolicies.StorefrontOrOps)
            .MapGet("/", List).WithSummary("Slots of a store on a date (YYYY-MM-DD, the store's local date), with capacity and availability.");
        return app;
    }

    private static async Task<Results<Ok<SlotView[]>, ProblemHttpResult>> List(
        string? storeId, string? date, HttpContext context, SlotListing listing, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(storeId))
        {
            return Problems.Invalid("storeId", "storeId is required.");
        }

        if (!Caller.Of(context).MayActAt(storeId))
        {
            return Refusals.Store();
        }

        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Problems.Invalid("date", "date is required as YYYY-MM-DD.");
        }

        if (await listing.Get(storeId, day, cancellationToken) is not { } storeDay)
        {
            return Problems.NotFound("Store", $"There is no store '{storeId}'.");
        }

        var (zone, slots, now) = (storeDay.Zone, storeDay.Slots, time.GetUtcNow());
        return TypedResults.Ok(slots.Select(s => new SlotView(s.SlotId,
            TimeZoneInfo.ConvertTime(s.WindowStart, zone), TimeZoneInfo.ConvertTime(s.WindowEnd, zone), TimeZoneInfo.ConvertTime(s.CutOffAt, zone),
            s.Capacity, now >= s.CutOffAt ? 0 : Math.Max(0, s.Capacity - s.Held - s.Confirmed))).ToArray());
    }
}
