using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>How every Deployment of k8s/base rolls, probes, sizes and protects its pods.</summary>
public sealed class DeploymentTests
{
    [Fact]
    public void The_engine_both_api_colours_and_the_two_canaries_are_deployed()
    {
        Manifests.Deployments.Select(d => d.Name).Order(StringComparer.Ordinal)
            .ShouldBe(["grocery-api-blue", "grocery-api-canary", "grocery-api-green", "grocery-engine", "grocery-engine-canary"]);
    }

    [Fact]
    public void Every_deployment_rolls_without_taking_a_pod_away_first()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            deployment.Root.Text("spec", "strategy", "type").ShouldBe("RollingUpdate", deployment.ToString());
            deployment.Root.Text("spec", "strategy", "rollingUpdate", "maxUnavailable").ShouldBe("0", deployment.ToString());
            var surge = deployment.Root.Text("spec", "strategy", "rollingUpdate", "maxSurge");
            surge.ShouldNotBeNull(deployment.ToString());
            surge.ShouldNotBe("0", $"{deployment}: with maxUnavailable 0 a rollout needs a surge");
        }
    }

    [Fact]
    public void Every_container_is_probed_on_the_three_health_endpoints_of_port_8080()
    {
        (string Probe, string Path)[] probes =
            [("startupProbe", "/health/startup"), ("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")];
        var allowedHosts = AllowedHosts();
        foreach (var deployment in Manifests.Deployments)
        {
            foreach (var container in deployment.Containers())
            {
                foreach (var (probe, path) in probes)
                {
                    var where = $"{deployment} {probe}";
                    container.Text(probe, "httpGet", "path").ShouldBe(path, where);
                    PortNumber(container, container.Text(probe, "httpGet", "port")).ShouldBe(8080, where);
                    (container.Number(probe, "timeoutSeconds") ?? 1).ShouldBeLessThanOrEqualTo(container.Number(probe, "periodSeconds") ?? 10, where);
                    // Without it the kubelet sends the pod's IP as Host, which host filtering answers with 400.
                    var host = container.Items(probe, "httpGet", "httpHeaders").SingleOrDefault(h => h.Text("name") == "Host")?.Text("value");
                    host.ShouldNotBeNull($"{where}: no Host header");
                    allowedHosts.ShouldContain(host, $"{where}: Host {host} is not in AllowedHosts");
                }
            }
        }
    }

    [Fact]
    public void The_engine_answers_only_named_hosts_the_public_one_among_them()
    {
        var allowedHosts = AllowedHosts();
        allowedHosts.ShouldNotBeEmpty("without AllowedHosts the engine refuses to start outside Development");
        allowedHosts.ShouldNotContain("*");
        // The public address that the configuration already gives MoMo for its notifications.
        var data = Manifests.Named("ConfigMap", "grocery-config").Root.Map("data");
        allowedHosts.ShouldContain(new Uri(data["MoMo__IpnUrl"]).Host);
    }

    [Fact]
    public void The_engine_takes_its_tokens_from_an_https_provider_with_an_audience()
    {
        // Outside Development the engine does not start without them, and never accepts a key of its own.
        var data = Manifests.Named("ConfigMap", "grocery-config").Root.Map("data");
        new Uri(data["Auth__Authority"]).Scheme.ShouldBe("https");
        data["Auth__Audience"].ShouldNotBeNullOrWhiteSpace();
        data.Keys.ShouldNotContain("Auth__RequireHttpsMetadata");
        data.Keys.ShouldNotContain("Auth__LocalKeyFile");
    }

    /// <summary>grocery-config's AllowedHosts, split at ';'.</summary>
    private static string[] AllowedHosts() =>
        Manifests.Named("ConfigMap", "grocery-config").Root.Map("data").GetValueOrDefault("AllowedHosts", "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void The_startup_probe_gives_migrations_minutes_not_seconds()
    {
        foreach (var container in Manifests.Deployments.SelectMany(d => d.Containers()))
        {
            var allowed = (container.Number("startupProbe", "periodSeconds") ?? 10) * (container.Number("startupProbe", "failureThreshold") ?? 3);
            allowed.ShouldBeGreaterThanOrEqualTo(120);
        }
    }

    [Fact]
    public void Every_container_requests_and_is_limited_in_cpu_and_memory()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            foreach (var container in deployment.Containers())
            {
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

    [Fact]
    public void Every_pod_runs_as_a_user_without_root_capabilities_or_a_writable_root()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var pod = deployment.PodSpec();
            foreach (var container in deployment.Containers())
            {
                var where = deployment.ToString();
                (container.Text("securityContext", "runAsNonRoot") ?? pod.Text("securityContext", "runAsNonRoot")).ShouldBe("true", where);
                (container.Text("securityContext", "runAsUser") ?? pod.Text("securityContext", "runAsUser")).ShouldNotBe("0", where);
                container.Text("securityContext", "allowPrivilegeEscalation").ShouldBe("false", where);
                container.Text("securityContext", "readOnlyRootFilesystem").ShouldBe("true", where);
                container.Items("securityContext", "capabilities", "drop").Select(c => ((YamlScalarNode)c).Value).ShouldContain("ALL", where);

                // The runtime writes its diagnostics socket and temporary files under /tmp.
                var tmp = container.Items("volumeMounts").SingleOrDefault(m => m.Text("mountPath") == "/tmp");
                tmp.ShouldNotBeNull($"{where}: no volume at /tmp under a read-only root");
                var volume = pod.Items("volumes").SingleOrDefault(v => v.Text("name") == tmp.Text("name"));
                volume.At("emptyDir").ShouldNotBeNull($"{where}: /tmp should be an emptyDir");
            }
        }
    }

    [Fact]
    public void Every_pod_ends_within_a_grace_period_that_covers_the_host_shutdown()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var grace = deployment.PodSpec().Number("terminationGracePeriodSeconds");
            grace.ShouldNotBeNull(deployment.ToString());
            // The host gives its services 30 s to stop; the preStop pause comes before.
            var preStop = deployment.Containers().Max(c => c.Number("lifecycle", "preStop", "sleep", "seconds") ?? 0);
            grace.Value.ShouldBeGreaterThanOrEqualTo(30 + preStop, deployment.ToString());
            grace.Value.ShouldBeLessThanOrEqualTo(120, deployment.ToString());
        }
    }

    [Fact]
    public void The_engine_runs_every_role_and_the_api_colours_the_api_only()
    {
        Manifests.Named("Deployment", "grocery-engine").Containers().Single().Env("Host__Role").ShouldBe("All");
        Manifests.Named("Deployment", "grocery-engine-canary").Containers().Single().Env("Host__Role").ShouldBe("All");
        Manifests.Named("Deployment", "grocery-api-blue").Containers().Single().Env("Host__Role").ShouldBe("Api");
        Manifests.Named("Deployment", "grocery-api-green").Containers().Single().Env("Host__Role").ShouldBe("Api");
        Manifests.Named("Deployment", "grocery-api-canary").Containers().Single().Env("Host__Role").ShouldBe("Api");
    }

    [Fact]
    public void Every_container_runs_the_image_placeholder_and_reads_the_shared_config_map()
    {
        var configMaps = Manifests.OfKind("ConfigMap").Select(c => c.Name).ToList();
        foreach (var deployment in Manifests.Deployments)
        {
            foreach (var container in deployment.Containers())
            {
                container.Text("image").ShouldBe(Manifests.Image, deployment.ToString());
                var fromMaps = container.Items("envFrom").Select(e => e.Text("configMapRef", "name")).ToList();
                fromMaps.ShouldContain("grocery-config", deployment.ToString());
                fromMaps.ShouldAllBe(name => configMaps.Contains(name!));
            }
        }
    }

    [Fact]
    public void Every_deployment_selects_its_own_pods_and_carries_the_common_labels()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var selector = deployment.Root.Map("spec", "selector", "matchLabels");
            selector.ShouldNotBeEmpty(deployment.ToString());
            selector.Selects(deployment.PodLabels()).ShouldBeTrue($"{deployment}: the selector does not match the pod template");
            deployment.PodLabels().ShouldContainKeyAndValue("app.kubernetes.io/part-of", "grocery-workflows");
            deployment.PodLabels().ShouldContainKey("app.kubernetes.io/name");

            // Two Deployments selecting the same pods would fight over them.
            foreach (var other in Manifests.Deployments.Where(o => o != deployment))
            {
                selector.Selects(other.PodLabels()).ShouldBeFalse($"{deployment} also selects the pods of {other}");
            }
        }
    }

    [Fact]
    public void Prometheus_finds_every_pod_on_the_named_management_port()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var annotations = deployment.PodAnnotations();
            annotations.ShouldContainKeyAndValue("prometheus.io/scrape", "true");
            annotations.ShouldContainKeyAndValue("prometheus.io/port", "9464");
            annotations.ShouldContainKeyAndValue("prometheus.io/path", "/metrics");
            foreach (var container in deployment.Containers())
            {
                PortNumber(container, "http").ShouldBe(8080, deployment.ToString());
                PortNumber(container, "metrics").ShouldBe(9464, deployment.ToString());
            }
        }
    }

    [Fact]
    public void The_management_server_listens_on_every_interface_of_the_pod_at_the_metrics_port()
    {
        var urls = Manifests.Named("ConfigMap", "grocery-config").Root.Map("data").GetValueOrDefault("Management__Urls");
        urls.ShouldBe("http://0.0.0.0:9464", "the pod's metrics port; on 127.0.0.1 (the engine's default) Prometheus could not reach it");
        foreach (var deployment in Manifests.Deployments)
        {
            deployment.Containers().ShouldAllBe(c => c.Env("Management__Urls") == null, $"{deployment} overrides grocery-config's Management__Urls");
        }
    }

    [Fact]
    public void The_prometheus_example_scrapes_the_container_port_named_metrics()
    {
        var config = Yaml.Documents(Repository.Read("deploy/prometheus/prometheus.yml")).Single();
        var job = config.Items("scrape_configs").Single(j => j.Text("job_name") == "grocery-workflows");
        job.Text("metrics_path").ShouldBe("/metrics");
        job.Items("relabel_configs").ShouldContain(r =>
            r.Text("action") == "keep" && r.Text("regex") == "metrics" &&
            r.Items("source_labels").Select(l => ((YamlScalarNode)l).Value).Contains("__meta_kubernetes_pod_container_port_name"));
    }

    /// <summary>A probe's or Service's port: a number, or the name of one of the container's ports.</summary>
    public static int? PortNumber(YamlNode container, string? port)
    {
        if (int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return container.Items("ports").FirstOrDefault(p => p.Text("name") == port)?.Number("containerPort");
    }
}
