using System.Text;
using MassTransit;
using MassTransit.SagaStateMachine;

namespace Grocery.Workflows.Sagas;

/// <summary>Renders a state machine's graph (MassTransit's <c>GetGraph()</c>) as a Mermaid flowchart.</summary>
public static class SagaDiagram
{
    /// <summary>
    /// States are rounded nodes, events are hexagons, as the graph has them: an event node links the states that
    /// handle it to the states it moves them to. Order follows the machine's definition, so the text is stable.
    /// </summary>
    public static string ToMermaid<TSaga>(StateMachine<TSaga> machine)
        where TSaga : class, SagaStateMachineInstance
    {
        ArgumentNullException.ThrowIfNull(machine);
        var graph = machine.GetGraph();
        var edges = graph.Edges.Select(e => (From: e.From, To: e.To)).Distinct().ToList();
        var used = edges.SelectMany(e => new[] { e.From, e.To }).ToHashSet();

        var text = new StringBuilder();
        text.AppendLine("flowchart TD");
        foreach (var vertex in graph.Vertices.Where(used.Contains).Distinct())
        {
            var id = Id(vertex);
            text.AppendLine(IsState(vertex) ? $"    {id}([\"{vertex.Title}\"])" : $"    {id}{{{{\"{vertex.Title}\"}}}}");
        }

        foreach (var (from, to) in edges)
        {
            text.AppendLine($"    {Id(from)} --> {Id(to)}");
        }

        return text.ToString();
    }

    /// <summary>The diagram of a saga from <see cref="SagaCatalog"/>, built from a machine instance.</summary>
    public static string ToMermaid(object machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var stateType = machine.GetType().BaseType!.GetGenericArguments()[0];
        var method = typeof(SagaDiagram).GetMethods()
            .Single(m => m is { Name: nameof(ToMermaid), IsGenericMethodDefinition: true })
            .MakeGenericMethod(stateType);
        return (string)method.Invoke(null, [machine])!;
    }

    /// <summary>
    /// The same graph as transitions: each state that handles an event, the event, and each state the event moves it
    /// to (an event handled in several states lists each pairing the graph has). Ordered as the machine defines them.
    /// </summary>
    public static IReadOnlyList<SagaTransition> Transitions<TSaga>(StateMachine<TSaga> machine)
        where TSaga : class, SagaStateMachineInstance
    {
        ArgumentNullException.ThrowIfNull(machine);
        var graph = machine.GetGraph();
        var edges = graph.Edges.Select(e => (From: e.From, To: e.To)).Distinct().ToList();
        return [.. from handled in edges.Where(e => IsState(e.From) && !IsState(e.To))
                   from moved in edges.Where(e => e.From.Equals(handled.To) && IsState(e.To))
                   select new SagaTransition(handled.From.Title, handled.To.Title, moved.To.Title)];
    }

    /// <summary>The transitions of a saga from <see cref="SagaCatalog"/>, from a machine instance.</summary>
    public static IReadOnlyList<SagaTransition> Transitions(object machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var stateType = machine.GetType().BaseType!.GetGenericArguments()[0];
        var method = typeof(SagaDiagram).GetMethods()
            .Single(m => m is { Name: nameof(Transitions), IsGenericMethodDefinition: true })
            .MakeGenericMethod(stateType);
        return (IReadOnlyList<SagaTransition>)method.Invoke(null, [machine])!;
    }

    private static bool IsState(Vertex vertex) => typeof(State).IsAssignableFrom(vertex.VertexType);

    private static string Id(Vertex vertex)
    {
        var name = new string([.. vertex.Title.Where(char.IsLetterOrDigit)]);
        return (IsState(vertex) ? "s_" : "e_") + name;
    }
}

/// <summary>A state that handles an event, the event, and the state it moves the instance to.</summary>
public sealed record SagaTransition(string From, string Event, string To);
