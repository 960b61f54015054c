using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Sagas;

public sealed record SagaTypeView(string Type, int Total, IReadOnlyDictionary<string, int> ByState);

public sealed record SagaInstanceView(Guid Id, Guid OrderId, string State, DateTimeOffset StateEnteredAt, double SecondsInState);

public sealed record SagaTimelineView(string From, string To, string Event, DateTimeOffset At, string HostInstance);

public sealed record SagaDetailView(string Type, Guid Id, Guid OrderId, string State, DateTimeOffset StateEnteredAt, object Data, IReadOnlyList<SagaTimelineView> Timeline);

/// <summary>Ops views of the sagas: counts per state, who waits where and for how long, one instance in full.</summary>
public static class SagaEndpoints
{
    public static IEndpointRouteBuilder MapSagaEndpoints(this IEndpointRouteBuilder app)
    {
        var sagas = app.MapGroup("/api/sagas").WithTags("Sagas").RequireAuthorization(GroceryPolicies.Ops);
        sagas.MapGet("/", Types).WithSummary("Each saga type with its instance count per state.");
        sagas.MapGet("/{type}", Instances).WithSummary("Instances of a saga type, longest in their state first; optionally one state.");
        sagas.MapGet("/{type}/graph", Graph)
            .WithSummary("The saga's state machine as a Mermaid flowchart, generated from the running code.");
        sagas.MapGet("/{type}/{id:guid}", Detail).WithSummary("One instance: state, data and its timeline.");
        return app;
    }

    private static async Task<Ok<SagaTypeView[]>> Types(WorkflowDbContext db, CancellationToken cancellationToken)
    {
        var views = new List<SagaTypeView>();
        foreach (var name in SagaCatalog.All.Select(saga => saga.Name))
        {
            var counts = (await SagaStateCounts.Read(db, name, cancellationToken)).ToDictionary(s => s.State, s => s.Count);
            views.Add(new SagaTypeView(name, counts.Values.Sum(), counts));
        }

        return TypedResults.Ok(views.ToArray());
    }

    private static async Task<Results<Ok<SagaInstanceView[]>, ProblemHttpResult>> Instances(
        string type, string? state, int? limit, HttpContext context, WorkflowDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (SagaCatalog.Find(type) is not { } saga)
        {
            return UnknownType(type);
        }

        if (!Problems.TryLimit(limit, 50, 500, out var take, out var problem))
        {
            return problem!;
        }

        return TypedResults.Ok(await Dispatch(saga, new ListInstances(db, state, Caller.Of(context).Stores?.ToList(), take, time.GetUtcNow(), cancellationToken)));
    }

    private static async Task<Results<Ok<SagaDetailView>, ProblemHttpResult>> Detail(
        string type, Guid id, HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (SagaCatalog.Find(type) is not { } saga)
        {
            return UnknownType(type);
        }

        var detail = await Dispatch(saga, new LoadDetail(db, saga.Name, id, cancellationToken));
        if (detail is null)
        {
            return Problems.NotFound("Saga", $"There is no {saga.Name} saga {id}.");
        }

        var caller = Caller.Of(context);
        if (caller.Stores is not null && !caller.MayActAt(await db.OrderRequests.AsNoTracking().Where(r => r.OrderId == detail.OrderId)
                .Select(r => r.StoreId).SingleOrDefaultAsync(cancellationToken)))
        {
            return Refusals.Store();
        }

        return TypedResults.Ok(detail);
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Graph(string type, IServiceProvider services)
    {
        if (SagaCatalog.Find(type) is not { } saga)
        {
            return UnknownType(type);
        }

        var machine = services.GetRequiredService(saga.MachineType);
        return TypedResults.Text(SagaDiagram.ToMermaid(machine), "text/plain; charset=utf-8");
    }

    private static ProblemHttpResult UnknownType(string type) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown saga type",
            detail: $"There is no saga type '{type}'. Known types: {string.Join(", ", SagaCatalog.All.Select(s => s.Name))}.");

    private interface ISagaQuery<TResult>
    {
        Task<TResult> Run<TSaga>()
            where TSaga : class, IGrocerySagaState;
    }

    private static Task<TResult> Dispatch<TResult>(SagaDescriptor saga, ISagaQuery<TResult> query) => saga.Accept(new Dispatcher<TResult>(query));

    private sealed class Dispatcher<TResult>(ISagaQuery<TResult> query) : ISagaVisitor<Task<TResult>>
    {
        Task<TResult> ISagaVisitor<Task<TResult>>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga) => query.Run<TState>();
    }

    private sealed record ListInstances(WorkflowDbContext Db, string? State, List<string>? Stores, int Take, DateTimeOffset Now, CancellationToken CancellationToken)
        : ISagaQuery<SagaInstanceView[]>
    {
        public async Task<SagaInstanceView[]> Run<TSaga>()
            where TSaga : class, IGrocerySagaState
        {
            var query = Db.Set<TSaga>().AsNoTracking();
            if (!string.IsNullOrWhiteSpace(State))
            {
                query = query.Where(s => s.CurrentState == State);
            }

            if (Stores is not null)
            {
                query = query.Where(s => Db.OrderRequests.Any(r => r.OrderId == s.OrderId && Stores.Contains(r.StoreId)));
            }

            var rows = await query.OrderBy(s => EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt)).Take(Take)
                .Select(s => new { Saga = s, Entered = EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt) })
                .ToListAsync(CancellationToken);
            return [.. rows.Select(r => new SagaInstanceView(r.Saga.CorrelationId, r.Saga.OrderId, r.Saga.CurrentState, r.Entered,
                Math.Round((Now - r.Entered).TotalSeconds, 1)))];
        }
    }

    private sealed record LoadDetail(WorkflowDbContext Db, string SagaType, Guid Id, CancellationToken CancellationToken) : ISagaQuery<SagaDetailView?>
    {
        public async Task<SagaDetailView?> Run<TSaga>()
            where TSaga : class, IGrocerySagaState
        {
            var row = await Db.Set<TSaga>().AsNoTracking().Where(s => s.CorrelationId == Id)
                .Select(s => new { Saga = s, Entered = EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt) })
                .SingleOrDefaultAsync(CancellationToken);
            if (row is null)
            {
                return null;
            }

            var timeline = await Db.Timeline.AsNoTracking().Where(t => t.SagaType == SagaType && t.CorrelationId == Id).OrderBy(t => t.Id)
                .Select(t => new SagaTimelineView(t.FromState, t.ToState, t.Event, t.At, t.HostInstance)).ToListAsync(CancellationToken);
            return new SagaDetailView(SagaType, row.Saga.CorrelationId, row.Saga.OrderId, row.Saga.CurrentState, row.Entered, row.Saga, timeline);
        }
    }
}
