using System.Text;
using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>The two API colours and the Services that choose between them.</summary>
public sealed class BlueGreenTests
{
    private static readonly string[] Colours = ["blue", "green"];

    [Fact]
    public void Blue_and_green_differ_only_in_colour_and_replicas()
    {
        var blue = Manifests.Named("Deployment", "grocery-api-blue");
        var green = Manifests.Named("Deployment", "grocery-api-green");
        blue.PodLabels().ShouldContainKeyAndValue("color", "blue");
        green.PodLabels().ShouldContainKeyAndValue("color", "green");
        blue.Root.Map("spec", "selector", "matchLabels").ShouldContainKeyAndValue("color", "blue");
        green.Root.Map("spec", "selector", "matchLabels").ShouldContainKeyAndValue("color", "green");

        Canonical(green.Root, "green").ShouldBe(Canonical(blue.Root, "blue"));
    }

    [Fact]
    public void The_live_service_selects_exactly_one_colour_that_has_pods()
    {
        var live = Manifests.Named("Service", "grocery-api").Root.Map("spec", "selector");
        Colours.ShouldContain(live.GetValueOrDefault("color"), "grocery-api must select a colour");

        var selected = Manifests.Deployments.Where(d => live.Selects(d.PodLabels())).ToList();
        selected.Count.ShouldBe(1, "grocery-api must select the pods of exactly one Deployment");
        selected[0].Name.ShouldBe($"grocery-api-{live["color"]}");
        (selected[0].Root.Number("spec", "replicas") ?? 1).ShouldBeGreaterThan(0, "the live colour has no pods");
    }

    [Fact]
    public void The_preview_service_selects_the_other_colour()
    {
        var live = Manifests.Named("Service", "grocery-api").Root.Map("spec", "selector");
        var preview = Manifests.Named("Service", "grocery-api-preview").Root.Map("spec", "selector");
        Colours.ShouldContain(preview.GetValueOrDefault("color"));
        preview["color"].ShouldNotBe(live["color"]);

        var selected = Manifests.Deployments.Where(d => preview.Selects(d.PodLabels())).ToList();
        selected.Select(d => d.Name).ShouldBe([$"grocery-api-{preview["color"]}"]);
    }

    [Fact]
    public void Every_service_reaches_a_named_port_of_its_pods()
    {
        foreach (var service in Manifests.OfKind("Service"))
        {
            var selector = service.Root.Map("spec", "selector");
            selector.ShouldNotBeEmpty(service.ToString());
            var pods = Manifests.Deployments.Where(d => selector.Selects(d.PodLabels())).ToList();
            pods.ShouldNotBeEmpty($"{service} selects no Deployment's pods");
            foreach (var port in service.Root.Items("spec", "ports"))
            {
                foreach (var container in pods.SelectMany(d => d.Containers()))
                {
                    // The API port only: no Service routes to the management port (9464, /metrics).
                    DeploymentTests.PortNumber(container, port.Text("targetPort") ?? port.Text("port")).ShouldBe(8080, service.ToString());
                }
            }
        }
    }

    /// <summary>
    /// The Deployment as text with sorted keys, its replicas left out and its colour written as a placeholder, so that
    /// the two colours give the same text exactly when nothing else differs.
    /// </summary>
    private static string Canonical(YamlMappingNode deployment, string colour)
    {
        var text = new StringBuilder();
        Write(deployment, "", text, colour);
        return text.ToString();
    }

    private static void Write(YamlNode node, string path, StringBuilder text, string colour)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children
                    .Select(c => (Key: ((YamlScalarNode)c.Key).Value!, c.Value))
                    .Where(c => $"{path}/{c.Key}" != "/spec/replicas")
                    .OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    Write(value, $"{path}/{key}", text, colour);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Write(sequence.Children[i], $"{path}[{i}]", text, colour);
                }

                break;
            case YamlScalarNode scalar:
                var written = scalar.Value == colour ? "<colour>" : scalar.Value?.Replace($"-{colour}", "-<colour>", StringComparison.Ordinal);
                text.Append(path).Append(" = ").Append(written).Append('\n');
                break;
        }
    }
}
