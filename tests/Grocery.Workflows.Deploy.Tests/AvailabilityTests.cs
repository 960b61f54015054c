namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// Every Deployment has a disruption budget and a CPU autoscaler of its own, except the engine canary: its replica count
/// is its share of the messages, which an autoscaler would change.
/// </summary>
public sealed class AvailabilityTests
{
    [Fact]
    public void Every_deployment_has_exactly_one_disruption_budget_over_its_pods()
    {
        var budgets = Manifests.OfKind("PodDisruptionBudget");
        foreach (var deployment in Manifests.Deployments)
        {
            // Kubernetes refuses to evict a pod that more than one budget covers.
            var covering = budgets.Where(b => b.Root.Map("spec", "selector", "matchLabels").Selects(deployment.PodLabels())).ToList();
            covering.Count.ShouldBe(1, $"{deployment} is covered by {covering.Count} disruption budgets");

            var budget = covering[0];
            budget.Root.Text("apiVersion").ShouldBe("policy/v1");
            budget.Root.Map("spec", "selector", "matchLabels").ShouldNotBeEmpty($"{budget} selects every pod of the namespace");
            var bound = budget.Root.Text("spec", "maxUnavailable") ?? budget.Root.Text("spec", "minAvailable");
            bound.ShouldNotBeNull($"{budget} sets neither maxUnavailable nor minAvailable");
            if (budget.Root.Text("spec", "maxUnavailable") is { } maxUnavailable)
            {
                maxUnavailable.ShouldNotBe("0", $"{budget} would block every node drain");
            }
        }
    }

    private const string EngineCanary = "grocery-engine-canary";

    [Fact]
    public void The_engine_canary_has_no_autoscaler()
    {
        Manifests.Named("Deployment", EngineCanary);
        Manifests.OfKind("HorizontalPodAutoscaler").ShouldNotContain(h => h.Root.Text("spec", "scaleTargetRef", "name") == EngineCanary);
    }

    [Fact]
    public void Every_deployment_has_a_cpu_autoscaler_of_at_least_two_replicas()
    {
        var autoscalers = Manifests.OfKind("HorizontalPodAutoscaler");
        foreach (var deployment in Manifests.Deployments.Where(d => d.Name != EngineCanary))
        {
            var targeting = autoscalers
                .Where(h => h.Root.Text("spec", "scaleTargetRef", "kind") == "Deployment" && h.Root.Text("spec", "scaleTargetRef", "name") == deployment.Name)
                .ToList();
            targeting.Count.ShouldBe(1, $"{deployment} has {targeting.Count} autoscalers");

            var hpa = targeting[0].Root;
            hpa.Text("apiVersion").ShouldBe("autoscaling/v2");
            hpa.Text("spec", "scaleTargetRef", "apiVersion").ShouldBe("apps/v1");
            var min = hpa.Number("spec", "minReplicas") ?? 1;
            var max = hpa.Number("spec", "maxReplicas") ?? 0;
            min.ShouldBeGreaterThanOrEqualTo(2, deployment.ToString());
            max.ShouldBeGreaterThan(min, deployment.ToString());
            max.ShouldBeLessThanOrEqualTo(20, deployment.ToString());

            var cpu = hpa.Items("spec", "metrics").SingleOrDefault(m => m.Text("type") == "Resource" && m.Text("resource", "name") == "cpu");
            cpu.ShouldNotBeNull($"{deployment}: no CPU metric");
            cpu.Text("resource", "target", "type").ShouldBe("Utilization");
            (cpu.Number("resource", "target", "averageUtilization") ?? 0).ShouldBeInRange(30, 90);
        }
    }

    [Fact]
    public void Replicas_of_a_running_deployment_are_within_its_autoscaler_bounds()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var replicas = deployment.Root.Number("spec", "replicas") ?? 1;
            if (replicas == 0)
            {
                continue; // the idle colour or a canary: an autoscaler does nothing at zero
            }

            var hpa = Manifests.OfKind("HorizontalPodAutoscaler").Single(h => h.Root.Text("spec", "scaleTargetRef", "name") == deployment.Name).Root;
            replicas.ShouldBeInRange(hpa.Number("spec", "minReplicas") ?? 1, hpa.Number("spec", "maxReplicas") ?? 1, deployment.ToString());
        }
    }
}
