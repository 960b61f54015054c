using Grocery.Workflows.Sagas;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Sagas;

/// <summary>Ops views of the five sagas.</summary>
public static class SagaEndpoints
{
    public static IEndpointRouteBuilder MapSagaEndpoints(this IEndpointRouteBuilder app)
    {
        var sagas = app.MapGroup("/api/sagas").WithTags("Sagas");
        sagas.MapGet("/{type}/graph", Graph)
            .WithSummary("The saga's state machine as a Mermaid flowchart, generated from the running code.");
        return app;
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Graph(string type, IServiceProvider services)
    {
        var saga = SagaCatalog.Find(type);
        if (saga is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown saga type",
                detail: $"There is no saga type '{type}'. Known types: {string.Join(", ", SagaCatalog.All.Select(s => s.Name))}.");
        }

        var machine = services.GetRequiredService(saga.MachineType);
        return TypedResults.Text(SagaDiagram.ToMermaid(machine), "text/plain; charset=utf-8");
    }
}
