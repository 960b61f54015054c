using System.Text.RegularExpressions;
using Grocery.Workflows.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Architecture.Tests;

/// <summary>
/// A saga's name and its states' names come from its machine (<c>XStateMachine.Saga.Name</c>, <c>nameof(XStateMachine.Held)</c>):
/// written as a string literal anywhere else, a renamed state would silently break metrics, views and the API.
/// </summary>
public sealed partial class SagaNameTests
{
    [Fact]
    public void No_saga_or_state_name_is_written_as_a_string_literal_outside_its_machine()
    {
        var names = SagaCatalog.All.SelectMany(saga => StateNames(saga).Append(saga.Name)).ToHashSet(StringComparer.Ordinal);
        names.ShouldContain("Held");
        var machines = SagaCatalog.All.Select(s => $"{s.MachineType.Name}.cs").ToHashSet(StringComparer.Ordinal);

        var found = new List<string>();
        // The ops console's translation table is keyed by English wording: "Order" there is a heading, not the saga.
        foreach (var file in Repository.SourceFiles().Where(f => !machines.Contains(Path.GetFileName(f)) && Repository.Relative(f) != "src/OpsConsole/Text/Vietnamese.cs"))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match literal in Literal().Matches(lines[i]))
                {
                    if (names.Contains(literal.Groups["name"].Value) && !IsResourceTitle(lines[i], literal.Index))
                    {
                        found.Add($"{Repository.Relative(file)}:{i + 1}: \"{literal.Groups["name"].Value}\"");
                    }
                }
            }
        }

        found.ShouldBeEmpty("use the machine's descriptor (XStateMachine.Saga.Name) or nameof(XStateMachine.State) instead");
    }

    [Fact]
    public void The_check_finds_a_state_name_written_as_a_literal()
    {
        Literal().Matches("if (step.ToState == \"Held\")").Select(m => m.Groups["name"].Value).ShouldBe(["Held"]);
        Literal().Matches("$\"{x}Held\" + \"Held out\"").ShouldBeEmpty();
    }

    // A 404's title names the resource that was not found ("Order not found"), which is not the saga.
    private static bool IsResourceTitle(string line, int index) => line[..index].EndsWith(".NotFound(", StringComparison.Ordinal);

    private static IEnumerable<string> StateNames(SagaDescriptor saga)
    {
        using var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(saga.SettingsType, saga.NewSettings())
            .BuildServiceProvider();
        var machine = (StateMachine)ActivatorUtilities.CreateInstance(services, saga.MachineType);
        return machine.States.Select(s => s.Name).Where(n => n is not ("Initial" or "Final"));
    }

    // A whole plain literal: not the tail of an identifier, an escaped quote or an interpolation.
    [GeneratedRegex("""(?<![\w\\$])"(?<name>[A-Za-z]+)"(?!\w)""")]
    private static partial Regex Literal();
}
