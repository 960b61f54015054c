using Grocery.Workflows.OpsConsole;
using Grocery.Workflows.Sagas;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Api.Tests.Console;

public sealed class StuckBoundsTests
{
    [Fact]
    public void The_consoles_stuck_bounds_are_the_stuck_saga_alerts_bounds()
    {
        var bounds = new ConfigurationBuilder().AddJsonFile(ConsoleTextTests.Source("src/Host/appsettings.json")).Build()
            .GetSection(StuckBounds.Section).Get<StuckBounds>()!;
        var rules = new YamlStream();
        using (var reader = new StreamReader(ConsoleTextTests.Source("deploy/prometheus/rules/grocery-recording.yml")))
        {
            rules.Load(reader);
        }

        var recorded = new Dictionary<(string Saga, string State), TimeSpan>();
        foreach (var group in (YamlSequenceNode)((YamlMappingNode)rules.Documents[0].RootNode)["groups"])
        {
            foreach (var rule in ((YamlSequenceNode)((YamlMappingNode)group)["rules"]).Cast<YamlMappingNode>())
            {
                if (rule.Children.TryGetValue("record", out var name) && name.ToString() == "grocery:saga_state_age_bound:seconds")
                {
                    var labels = (YamlMappingNode)rule["labels"];
                    var seconds = int.Parse(rule["expr"].ToString().Replace("vector(", "").TrimEnd(')'), System.Globalization.CultureInfo.InvariantCulture);
                    recorded[(labels["saga"].ToString(), labels["state"].ToString())] = TimeSpan.FromSeconds(seconds);
                }
            }
        }

        var configured = bounds.Bounds.SelectMany(s => s.Value.Select(b => ((s.Key, b.Key), b.Value))).ToDictionary(x => x.Item1, x => x.Value);
        configured.Count.ShouldBeGreaterThan(10);
        configured.OrderBy(c => c.Key.ToString()).ShouldBe(recorded.OrderBy(r => r.Key.ToString()));
        // The alerts' default for a state with no rule is an hour; Order/Confirmed is excluded from them, as here.
        bounds.DefaultBound.ShouldBe(TimeSpan.FromHours(1));
        bounds.Unbounded.ShouldBe(["Order/Confirmed"]);
        bounds.BoundOf(SagaCatalog.Order, "Confirmed").ShouldBeNull();
        bounds.BoundOf(SagaCatalog.Order, "Completed").ShouldBeNull();
        bounds.BoundOf(SagaCatalog.Order, "OutForDelivery").ShouldBe(TimeSpan.FromHours(3));
    }
}
