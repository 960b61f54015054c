namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// deploy/alertmanager: the routing of the Prometheus alerts, checked by deploy/alertmanager/check.sh with amtool (Debian
/// package prometheus-alertmanager, installed by scripts/tools.sh). A machine without amtool fails these tests.
/// </summary>
public sealed class AlertmanagerRoutingTests : IDisposable
{
    private const string Script = "deploy/alertmanager/check.sh";
    private readonly string _directory = Directory.CreateTempSubdirectory("grocery-alertmanager-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_routing_check_is_part_of_the_lint_script()
    {
        File.Exists(Repository.PathOf(Script)).ShouldBeTrue();
        Repository.Read("scripts/lint.sh").ShouldContain("bash deploy/alertmanager/check.sh");
        Repository.Read("scripts/tools.sh").ShouldContain("packages+=(prometheus-alertmanager)");
    }

    [Fact]
    public void Pages_and_tickets_follow_the_severity_of_the_rules()
    {
        var config = Yaml.Documents(Repository.Read("deploy/alertmanager/alertmanager.yml")).Single();
        var routes = config.Items("route", "routes");

        config.Items("route", "group_by").Select(n => n.ToString()).ShouldBe(["alertname", "store"]);
        routes.Single(r => r.Items("matchers").Any(m => m.ToString() == "severity=\"page\"")).Text("receiver").ShouldBe("grocery-pager");
        config.Text("route", "receiver").ShouldBe("grocery-tickets");
        // Keys come from files mounted from Vault, never from this file.
        var pager = config.Items("receivers").Single(r => r.Text("name") == "grocery-pager");
        pager.Items("pagerduty_configs").ShouldAllBe(p => p.Text("routing_key_file") != null && p.Text("routing_key") == null && p.Text("service_key") == null);
    }

    [Fact]
    public async Task Every_alert_of_the_rules_reaches_its_expected_receiver()
    {
        var result = await Shell.RunAsync(Script, [], new Dictionary<string, string>());

        result.ExitCode.ShouldBe(0, result.ToString());
        var alerts = Repository.Read("deploy/prometheus/rules/grocery-alerts.yml").Split("- alert: ").Length - 1
            + Repository.Read("deploy/prometheus/rules/grocery-slo-alerts.yml").Split("- alert: ").Length - 1;
        result.Output.ShouldContain($"{alerts} alerts routed as expected");
        result.Output.ShouldContain("ok   GroceryOrderStuck (severity=page) -> grocery-pager");
        result.Output.ShouldContain("ok   GroceryCheckoutLatencyBudgetBurnFast (severity=page slo=checkout-latency) -> grocery-pager");
    }

    [Fact]
    public async Task An_alert_without_an_expected_receiver_fails_the_check()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "new.yml"), """
            groups:
              - name: new
                rules:
                  - alert: GroceryOrderStuck
                    expr: vector(1)
                    labels:
                      severity: page
                  - alert: GroceryBrandNewAlert
                    expr: vector(1)
                    labels:
                      severity: ticket
            """);

        var result = await Shell.RunAsync(Script, [], new Dictionary<string, string> { ["GROCERY_ALERT_RULES"] = _directory });

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Output.ShouldContain("FAIL GroceryBrandNewAlert: no expected receiver");
    }

    [Fact]
    public async Task A_machine_without_amtool_fails_with_a_clear_message()
    {
        var result = await Shell.RunAsync(Script, [], new Dictionary<string, string> { ["PATH"] = _directory });

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Errors.ShouldContain("amtool is missing");
        result.Errors.ShouldContain("scripts/tools.sh");
    }
}
