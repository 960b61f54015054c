using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// What `kubectl kustomize k8s/overlays/&lt;environment&gt;` renders: the objects a cluster receives, after every patch.
/// </summary>
public sealed partial class EnvironmentRenderTests
{
    private const int ApiPort = 8080;
    private const int ManagementPort = 9464;

    /// <summary>Staging's names for production's hosts and Vault path: the only values that may differ besides sizes.</summary>
    private static readonly (string Staging, string Production)[] Renamed =
    [
        ("grocery.staging.example.com", "grocery.example.com"),
        ("shop.staging.example.com", "shop.example.com"),
        ("secret/data/grocery/staging/workflows", "secret/data/grocery/workflows"),
    ];

    /// <summary>Fields whose values may differ between the environments: sizes, and the Vault role.</summary>
    [GeneratedRegex("""
        ^Deployment/[\w-]+\s/spec/replicas$
        |^HorizontalPodAutoscaler/[\w-]+\s/spec/(minReplicas|maxReplicas)$
        |^Deployment/[\w-]+\s/spec/template/spec/containers\[\d+\]/resources/(requests|limits)/(cpu|memory)$
        |^Deployment/[\w-]+\s/spec/template/metadata/annotations/vault\.hashicorp\.com/role$
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex SizeOrRole();

    [Fact]
    public void There_is_a_staging_and_a_production_environment_and_the_base_renders_too()
    {
        Kustomize.Environments().ShouldBe([Kustomize.Production, Kustomize.Staging]);
        Kustomize.Render(Manifests.Directory).Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal)
            .ShouldBe(Manifests.All.Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void Every_deployment_is_probed_rolls_without_losing_a_pod_and_is_sized(string environment)
    {
        var deployments = Kustomize.Render(environment).OfKind("Deployment");
        deployments.Select(d => d.Name).Order(StringComparer.Ordinal).ShouldBe(
            ["grocery-api-blue", "grocery-api-canary", "grocery-api-green", "grocery-engine", "grocery-engine-canary"]);
        foreach (var deployment in deployments)
        {
            deployment.Root.Text("spec", "strategy", "rollingUpdate", "maxUnavailable").ShouldBe("0", deployment.ToString());
            foreach (var container in deployment.Containers())
            {
                foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
                {
                    container.Text(probe, "httpGet", "path").ShouldNotBeNullOrWhiteSpace($"{deployment}: no {probe}");
                    DeploymentTests.PortNumber(container, container.Text(probe, "httpGet", "port")).ShouldBe(ApiPort, $"{deployment} {probe}");
                }

                foreach (var bound in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        container.Text("resources", bound, resource).ShouldNotBeNullOrWhiteSpace($"{deployment}: resources.{bound}.{resource}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void Every_service_selects_the_pods_of_exactly_one_colour_or_track(string environment)
    {
        var render = Kustomize.Render(environment);
        var deployments = render.OfKind("Deployment");
        string Selected(string service)
        {
            var selector = render.Named("Service", service).Root.Map("spec", "selector");
            var selected = deployments.Where(d => selector.Selects(d.PodLabels())).Select(d => d.Name).ToList();
            selected.Count.ShouldBe(1, $"{environment}: service {service} selects [{string.Join(", ", selected)}]");
            return selected[0];
        }

        Selected("grocery-api").ShouldBeOneOf("grocery-api-blue", "grocery-api-green");
        Selected("grocery-api-preview").ShouldBeOneOf("grocery-api-blue", "grocery-api-green");
        Selected("grocery-api-preview").ShouldNotBe(Selected("grocery-api"));
        Selected("grocery-api-canary").ShouldBe("grocery-api-canary");
        Selected("grocery-engine").ShouldBe("grocery-engine");

        // No two Deployments may claim the same pods: the canaries' labels keep them out of the stable selectors.
        foreach (var deployment in deployments)
        {
            var selector = deployment.Root.Map("spec", "selector", "matchLabels");
            deployments.Where(d => selector.Selects(d.PodLabels())).Select(d => d.Name).ShouldBe([deployment.Name], environment);
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void The_ingresses_reach_the_api_port_of_named_hosts_and_never_the_management_port(string environment)
    {
        var render = Kustomize.Render(environment);
        var allowedHosts = render.Named("ConfigMap", "grocery-config").Root.Map("data")["AllowedHosts"].Split(';');
        var ingresses = render.OfKind("Ingress");
        ingresses.Select(i => i.Name).Order(StringComparer.Ordinal).ShouldBe(["grocery-api", "grocery-api-canary"]);
        foreach (var ingress in ingresses)
        {
            ingress.Root.Text("spec", "ingressClassName").ShouldBe("nginx", ingress.ToString());
            foreach (var rule in ingress.Root.Items("spec", "rules"))
            {
                var host = rule.Text("host");
                host.ShouldNotBeNullOrWhiteSpace($"{ingress}: a rule without host routes every name");
                allowedHosts.ShouldContain(host, $"{ingress}: the engine answers {host} with 400");
                foreach (var path in rule.Items("http", "paths"))
                {
                    var service = render.Named("Service", path.Text("backend", "service", "name")!);
                    var servicePort = service.Root.Items("spec", "ports")
                        .Single(p => p.Text("name") == path.Text("backend", "service", "port", "name") || p.Text("port") == path.Text("backend", "service", "port", "number"));
                    var selector = service.Root.Map("spec", "selector");
                    foreach (var container in render.OfKind("Deployment").Where(d => selector.Selects(d.PodLabels())).SelectMany(d => d.Containers()))
                    {
                        var target = DeploymentTests.PortNumber(container, servicePort.Text("targetPort") ?? servicePort.Text("port"));
                        target.ShouldNotBe(ManagementPort, $"{ingress} reaches the management port through {service}");
                        target.ShouldBe(ApiPort, $"{ingress} reaches port {target} through {service}");
                    }

                    service.Root.Items("spec", "ports").ShouldAllBe(p => p.Text("targetPort") != "metrics", service.ToString());
                }
            }
        }

        // ingress-nginx pairs a canary with the Ingress of the same host and path; at rest it takes nothing.
        var main = render.Named("Ingress", "grocery-api");
        var canary = render.Named("Ingress", "grocery-api-canary");
        main.Root.Map("metadata", "annotations").Keys.ShouldNotContain("nginx.ingress.kubernetes.io/canary");
        canary.Root.Map("metadata", "annotations").ShouldContainKeyAndValue("nginx.ingress.kubernetes.io/canary", "true");
        canary.Root.Map("metadata", "annotations").ShouldContainKeyAndValue("nginx.ingress.kubernetes.io/canary-weight", "0");
        Routes(canary).ShouldBe(Routes(main));
    }

    private static List<string> Routes(Manifest ingress) =>
        ingress.Root.Items("spec", "rules")
            .SelectMany(r => r.Items("http", "paths").Select(p => $"{r.Text("host")}{p.Text("path")} {p.Text("pathType")}"))
            .ToList();

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void The_canaries_are_at_rest_and_the_engine_canary_has_no_autoscaler(string environment)
    {
        var render = Kustomize.Render(environment);
        render.Named("Deployment", "grocery-api-canary").Root.Number("spec", "replicas").ShouldBe(0);
        render.Named("Deployment", "grocery-engine-canary").Root.Number("spec", "replicas").ShouldBe(0);
        render.OfKind("HorizontalPodAutoscaler").ShouldNotContain(h => h.Root.Text("spec", "scaleTargetRef", "name") == "grocery-engine-canary");
        render.Named("Deployment", "grocery-engine").Root.Number("spec", "replicas").ShouldNotBeNull().ShouldBeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void The_network_policies_are_there_and_let_the_ingress_controller_reach_every_api_track(string environment)
    {
        var render = Kustomize.Render(environment);
        var policies = render.OfKind("NetworkPolicy");
        policies.Select(p => p.Name).ShouldContain("default-deny-ingress");
        var fromIngress = policies.Single(p => p.Name == "allow-ingress-controller-to-api").Root.Map("spec", "podSelector", "matchLabels");
        foreach (var name in new[] { "grocery-api-blue", "grocery-api-green", "grocery-api-canary" })
        {
            fromIngress.Selects(render.Named("Deployment", name).PodLabels()).ShouldBeTrue($"{environment}: the ingress controller cannot reach {name}");
        }

        var egress = policies.Single(p => p.Name == "allow-engine-egress").Root.Map("spec", "podSelector", "matchLabels");
        render.OfKind("Deployment").ShouldAllBe(d => egress.Selects(d.PodLabels()), $"{environment}: a Deployment's egress is not restricted");
    }

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void No_secret_object_or_secret_looking_value_is_rendered(string environment)
    {
        var render = Kustomize.Render(environment);
        render.ShouldNotContain(m => m.Kind == "Secret", $"{environment} renders a Secret: secrets come from Vault");
        foreach (var manifest in render)
        {
            foreach (var (path, value) in Flatten(manifest.Root))
            {
                SecretTests.CredentialInValue().IsMatch(value).ShouldBeFalse($"{manifest} {path} carries a credential");
            }
        }

        foreach (var key in render.Named("ConfigMap", "grocery-config").Root.Keys("data"))
        {
            SecretTests.SecretLookingName().IsMatch(key).ShouldBeFalse($"{environment}: grocery-config has the secret-looking key {key}");
        }

        foreach (var deployment in render.OfKind("Deployment"))
        {
            foreach (var name in deployment.Containers().SelectMany(c => c.Items("env")).Select(e => e.Text("name") ?? "").Where(n => n != "GROCERY_SECRETS_FILE"))
            {
                SecretTests.SecretLookingName().IsMatch(name).ShouldBeFalse($"{deployment} sets {name} inline");
            }

            // The Vault agent template reads the path the secret annotation names, in every environment.
            var annotations = deployment.PodAnnotations();
            var path = annotations["vault.hashicorp.com/agent-inject-secret-grocery.json"];
            SecretTests.TemplateSecretPath().Match(annotations["vault.hashicorp.com/agent-inject-template-grocery.json"]).Groups["path"].Value
                .ShouldBe(path, deployment.ToString());
        }
    }

    [Fact]
    public void Staging_differs_from_production_only_in_sizes_hosts_and_vault_paths()
    {
        var staging = Fields(Kustomize.Render(Kustomize.Staging));
        var production = Fields(Kustomize.Render(Kustomize.Production));

        staging.Keys.Except(production.Keys).ShouldBeEmpty("fields only staging has");
        production.Keys.Except(staging.Keys).ShouldBeEmpty("fields only production has");

        var differences = production.Keys.Where(k => staging[k] != production[k]).Order(StringComparer.Ordinal).ToList();
        var unexplained = differences
            .Where(k => !SizeOrRole().IsMatch(k) && Renamed.Aggregate(staging[k], (v, r) => v.Replace(r.Staging, r.Production, StringComparison.Ordinal)) != production[k])
            .Select(k => $"{k}: staging '{staging[k]}', production '{production[k]}'")
            .ToList();
        unexplained.ShouldBeEmpty("staging and production may differ only in replicas, autoscaler bounds, resources, hosts and Vault paths and roles");

        // ... and do differ there: staging is smaller, under its own names, reading its own secrets.
        differences.ShouldContain("Deployment/grocery-engine /spec/replicas");
        differences.ShouldContain("Ingress/grocery-api /spec/rules[0]/host");
        differences.ShouldContain("ConfigMap/grocery-config /data/AllowedHosts");
        differences.ShouldContain("Deployment/grocery-engine /spec/template/metadata/annotations/vault.hashicorp.com/agent-inject-secret-grocery.json");
        differences.ShouldContain("Deployment/grocery-engine /spec/template/metadata/annotations/vault.hashicorp.com/role");
        int.Parse(staging["Deployment/grocery-engine /spec/replicas"], System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeLessThan(int.Parse(production["Deployment/grocery-engine /spec/replicas"], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Every scalar of a render, keyed by "Kind/name /path".</summary>
    private static Dictionary<string, string> Fields(IReadOnlyList<Manifest> render) =>
        render.SelectMany(m => Flatten(m.Root).Select(f => (Key: $"{m.Kind}/{m.Name} {f.Path}", f.Value)))
            .ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    private static IEnumerable<(string Path, string Value)> Flatten(YamlNode node, string path = "")
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                return mapping.Children.SelectMany(c => Flatten(c.Value, $"{path}/{((YamlScalarNode)c.Key).Value}"));
            case YamlSequenceNode sequence:
                return sequence.Children.SelectMany((child, i) => Flatten(child, $"{path}[{i}]"));
            case YamlScalarNode scalar:
                return [(path, scalar.Value ?? "")];
            default:
                return [];
        }
    }
}
