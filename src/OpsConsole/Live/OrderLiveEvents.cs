using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Grocery.Workflows.Api.Orders;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Security;
using Grocery.Workflows.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.OpsConsole.Live;

/// <summary>
/// <c>GET /ops/orders/{id}/live</c>: server-sent events that say when an order has moved (a new timeline entry, a new
/// failure of one of its messages). The page then fetches its live part again; the event carries only a version, so
/// nothing about the order leaves through a stream that outlives the page's authorization check. One indexed query per
/// half second per open page; a stream ends after <see cref="MaxStream"/> and the browser opens a new one.
/// </summary>
public static class OrderLiveEvents
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxStream = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointConventionBuilder MapOrderLiveEvents(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGet($"{OpsConsolePath.Prefix}/orders/{{orderId:guid}}/live", async (Guid orderId, HttpContext context, WorkflowDbContext db,
                IServiceScopeFactory scopes, TimeProvider time, CancellationToken cancellationToken) =>
            {
                if (await OrderEndpoints.Refuse(Caller.Of(context), orderId, db, cancellationToken) is { } refused)
                {
                    return (IResult)refused;
                }

                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.ServerSentEvents(Versions(orderId, scopes, time, cancellationToken));
            })
            .RequireAuthorization(ConsoleAuthentication.Policy).ExcludeFromDescription();
    }

    /// <summary>What the order's live part shows changes exactly when this does.</summary>
    public static async Task<string> Version(WorkflowDbContext db, Guid orderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var timeline = await db.Timeline.AsNoTracking().Where(t => t.OrderId == orderId).MaxAsync(t => (long?)t.Id, cancellationToken) ?? 0;
        var failures = await db.FailedMessages.AsNoTracking().Where(f => f.OrderId == orderId).CountAsync(cancellationToken);
        var payments = await db.PaymentLedger.AsNoTracking().Where(p => p.OrderId == orderId).CountAsync(cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"{timeline}.{failures}.{payments}");
    }

    private static async IAsyncEnumerable<SseItem<string>> Versions(Guid orderId, IServiceScopeFactory scopes, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var sent = "";
        var lastSent = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested && time.GetElapsedTime(started) < MaxStream)
        {
            string version;
            await using (var scope = scopes.CreateAsyncScope())
            {
                version = await Version(scope.ServiceProvider.GetRequiredService<WorkflowDbContext>(), orderId, cancellationToken);
            }

            if (version != sent || time.GetElapsedTime(lastSent) > KeepAlive)
            {
                sent = version;
                lastSent = time.GetTimestamp();
                yield return new SseItem<string>(version, "changed") { ReconnectionInterval = TimeSpan.FromSeconds(2) };
            }

            try
            {
                await Task.Delay(Poll, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
