using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>Ingress is denied unless allowed; egress goes to the engine's dependencies only.</summary>
public sealed class NetworkPolicyTests
{
    private static IReadOnlyList<Manifest> Policies => Manifests.OfKind("NetworkPolicy");

    private static List<string> Types(Manifest policy) =>
        policy.Root.Items("spec", "policyTypes").Select(t => ((YamlScalarNode)t).Value!).ToList();

    private static IEnumerable<Manifest> Selecting(Manifest deployment, string type) =>
        Policies.Where(p => Types(p).Contains(type) && p.Root.Map("spec", "podSelector", "matchLabels").Selects(deployment.PodLabels()));

    private static IEnumerable<(string Protocol, int Port)> Ports(YamlNode rule) =>
        rule.Items("ports").Select(p => (p.Text("protocol") ?? "TCP", p.Number("port") ?? 0));

    [Fact]
    public void Ingress_is_denied_by_default_in_the_namespace()
    {
        Policies.ShouldContain(p =>
            p.Root.At("spec", "podSelector") is YamlMappingNode && p.Root.Map("spec", "podSelector", "matchLabels").Count == 0 &&
            p.Root.Items("spec", "podSelector", "matchExpressions").Count == 0 &&
            Types(p).Contains("Ingress") && p.Root.Items("spec", "ingress").Count == 0);
    }

    [Fact]
    public void The_api_colours_and_canary_accept_port_8080_from_the_ingress_controller()
    {
        foreach (var colour in new[] { "grocery-api-blue", "grocery-api-green", "grocery-api-canary" })
        {
            var api = Manifests.Named("Deployment", colour);
            var rules = Selecting(api, "Ingress").SelectMany(p => p.Root.Items("spec", "ingress")).ToList();
            rules.ShouldContain(r =>
                Ports(r).Contains(ValueTuple.Create("TCP", 8080)) &&
                r.Items("from").Any(f => f.Map("namespaceSelector", "matchLabels").GetValueOrDefault("kubernetes.io/metadata.name") == "ingress-nginx"),
                $"{colour} is not reachable from the ingress controller on 8080");
        }
    }

    private static bool From(YamlNode rule, string ns) =>
        rule.Items("from").Any(f => f.Map("namespaceSelector", "matchLabels").GetValueOrDefault("kubernetes.io/metadata.name") == ns);

    [Fact]
    public void Monitoring_may_scrape_every_pod_on_the_management_port_and_nothing_else()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var rules = Selecting(deployment, "Ingress").SelectMany(p => p.Root.Items("spec", "ingress")).ToList();
            rules.ShouldContain(r => Ports(r).Contains(ValueTuple.Create("TCP", 9464)) && From(r, "monitoring"), $"Prometheus cannot scrape {deployment}");
            rules.Where(r => From(r, "monitoring")).SelectMany(Ports).ShouldAllBe(p => p.Protocol == "TCP" && p.Port == 9464, $"monitoring reaches more than the management port of {deployment}");
        }
    }

    [Fact]
    public void Only_monitoring_reaches_the_management_port()
    {
        foreach (var rule in Policies.SelectMany(p => p.Root.Items("spec", "ingress")).Where(r => Ports(r).Any(p => p.Port == 9464)))
        {
            rule.Items("from").ShouldAllBe(f => f.Map("namespaceSelector", "matchLabels").GetValueOrDefault("kubernetes.io/metadata.name") == "monitoring");
        }
    }

    [Fact]
    public void No_ingress_rule_lets_every_source_in()
    {
        foreach (var rule in Policies.SelectMany(p => p.Root.Items("spec", "ingress")))
        {
            rule.Items("from").ShouldNotBeEmpty("an ingress rule without 'from' admits every pod and address");
            foreach (var peer in rule.Items("from"))
            {
                (peer.At("namespaceSelector") is null || peer.Map("namespaceSelector", "matchLabels").Count > 0)
                    .ShouldBeTrue("an empty namespaceSelector admits every namespace");
            }
        }
    }

    [Fact]
    public void Egress_reaches_the_dependencies_of_every_pod()
    {
        (string Protocol, int Port)[] needed =
        [
            ("UDP", 53), ("TCP", 53), ("TCP", 5432), ("TCP", 5672), ("TCP", 6379), ("TCP", 4317), ("TCP", 4318), ("TCP", 8200), ("TCP", 443),
        ];
        foreach (var deployment in Manifests.Deployments)
        {
            var allowed = Selecting(deployment, "Egress").SelectMany(p => p.Root.Items("spec", "egress")).SelectMany(Ports).ToHashSet();
            allowed.ShouldNotBeEmpty($"no egress policy selects {deployment}: its egress would be unrestricted");
            foreach (var port in needed)
            {
                allowed.ShouldContain(port, $"{deployment} cannot reach {port.Protocol} {port.Port}");
            }

            allowed.Select(p => p.Port).ShouldNotContain(0, "a rule without ports opens every port");
        }
    }
}
