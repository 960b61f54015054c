using System.Text.RegularExpressions;

namespace Grocery.Workflows.Sagas.Tests;

/// <summary>
/// docs/sagas.md holds one generated Mermaid block per saga between markers. This test fails when a block
/// differs from what <c>GetGraph()</c> gives for the code; <c>GROCERY_UPDATE_DOCS=1 dotnet test --filter SagaDiagram</c>
/// rewrites the blocks (and only the blocks).
/// </summary>
public sealed class SagaDiagramTests
{
    private static IEnumerable<(string Name, string Mermaid)> Diagrams() =>
        SagaCatalog.All.Select(saga => (saga.Name, SagaDiagram.ToMermaid(SagaMachines.Create(saga))));

    [Fact]
    public void Every_saga_in_the_catalog_has_a_diagram_with_its_resting_states()
    {
        foreach (var saga in SagaCatalog.All)
        {
            var mermaid = SagaDiagram.ToMermaid(SagaMachines.Create(saga));
            mermaid.ShouldStartWith("flowchart TD", customMessage: saga.Name);
            foreach (var state in saga.RestingStates)
            {
                mermaid.ShouldContain($"s_{state}([", customMessage: $"{saga.Name}'s resting state {state} is not a state of its machine");
            }
        }
    }

    [Fact]
    public void A_diagram_shows_states_events_and_transitions()
    {
        var order = Diagrams().First().Mermaid;

        order.ShouldStartWith("flowchart TD");
        order.ShouldContain("s_AwaitingPayment([\"AwaitingPayment\"])");
        order.ShouldContain("e_OrderSubmitted{{\"OrderSubmitted\"}}");
        order.ShouldContain("s_Initial --> e_OrderSubmitted");
        order.ShouldContain("e_OrderSubmitted --> s_AwaitingPayment");
        order.ShouldContain("e_DeliveryCompleted --> s_Completed");
    }

    [Fact]
    public void Docs_sagas_md_is_up_to_date_with_the_state_machines()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "sagas.md");
        var document = File.ReadAllText(path);
        var expected = document;
        foreach (var (name, mermaid) in Diagrams())
        {
            var block = GeneratedBlock(name);
            if (!block.IsMatch(expected))
            {
                // A new saga: its section is appended, to be moved and described by hand.
                expected = expected.TrimEnd('\n') + $"\n\n## {name}\n\n<!-- BEGIN GENERATED: {name} -->\n<!-- END GENERATED: {name} -->\n";
            }

            expected = block.Replace(expected, m => $"{m.Groups["begin"].Value}\n```mermaid\n{mermaid}```\n{m.Groups["end"].Value}");
        }

        if (Environment.GetEnvironmentVariable("GROCERY_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        document.ShouldBe(expected,
            "docs/sagas.md is out of date with the state machines; run: GROCERY_UPDATE_DOCS=1 dotnet test --filter SagaDiagram");
    }

    private static Regex GeneratedBlock(string name) =>
        new($"(?<begin><!-- BEGIN GENERATED: {name} -->)(?s:.*?)(?<end><!-- END GENERATED: {name} -->)");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Grocery.Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Grocery.Workflows.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_state_that_waits_on_a_command_sends_it_again_on_request_and_no_other_state_listens()
    {
        var listening = new List<(string Saga, string State)>();
        foreach (var saga in SagaCatalog.All)
        {
            var machine = (MassTransit.StateMachine)SagaMachines.Create(saga);
            if (machine.Events.SingleOrDefault(e => e.Name == nameof(Contracts.Orders.ResendPendingCommand)) is not { } resend)
            {
                continue;
            }

            listening.AddRange(machine.States.Where(s => machine.NextEvents(s).Contains(resend)).Select(s => (saga.Name, s.Name)));
        }

        listening.Order().ShouldBe(PendingCommands.All.Select(c => (c.Saga, c.State)).Order());
        PendingCommands.For("Order", "AwaitingPayment").ShouldBe("AuthorizePayment");
        PendingCommands.For("Order", "Confirmed").ShouldBeNull();
    }

}
