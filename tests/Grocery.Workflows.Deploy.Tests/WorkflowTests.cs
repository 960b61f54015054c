using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>The GitHub workflows: CI runs the test script against real services; Deploy pushes to Harbor and releases.</summary>
public sealed partial class WorkflowTests
{
    private const string Ci = ".github/workflows/ci.yml";
    private const string Deploy = ".github/workflows/deploy.yml";

    [GeneratedRegex(@"^[\w.-]+/[\w./-]+@v\d+$")]
    private static partial Regex PinnedToMajor();

    private static YamlMappingNode Workflow(string file) => Yaml.Documents(Repository.Read(file)).Single();

    private static IReadOnlyList<YamlNode> Steps(YamlNode job) => job.Items("steps");

    private static YamlNode? Uses(YamlNode job, string action) =>
        Steps(job).FirstOrDefault(s => s.Text("uses")?.StartsWith(action + "@", StringComparison.Ordinal) == true);

    private static string Runs(YamlNode job) => string.Join('\n', Steps(job).Select(s => s.Text("run")).OfType<string>());

    [Fact]
    public void Ci_runs_on_pushes_and_pull_requests_with_least_permissions()
    {
        var ci = Workflow(Ci);
        ci.Keys("on").ShouldContain("push");
        ci.Keys("on").ShouldContain("pull_request");
        ci.Map("permissions").ShouldBe(new Dictionary<string, string> { ["contents"] = "read" });
        ci.Text("concurrency", "group").ShouldNotBeNullOrWhiteSpace();
    }

    /// <summary>
    /// The servers are the ones scripts/services.sh installs and starts, as on any other machine: the restart tests
    /// stop and start them with scripts/outage.sh, which service containers would not allow.
    /// </summary>
    [Fact]
    public void Ci_tests_against_postgres_redis_and_rabbitmq_that_the_test_command_starts()
    {
        var job = Workflow(Ci).At("jobs", "build-test");
        job.ShouldNotBeNull("ci.yml has no build-test job");
        job.Text("runs-on").ShouldBe("ubuntu-latest");
        job.Number("timeout-minutes").ShouldNotBeNull();
        job.At("services").ShouldBeNull("service containers cannot be stopped by scripts/outage.sh");

        Runs(job).ShouldContain("bash scripts/test.sh");
        var test = Repository.Read("scripts/test.sh");
        test.ShouldContain("bash scripts/services.sh");
        var services = Repository.Read("scripts/services.sh");
        foreach (var package in new[] { "postgresql", "redis-server", "rabbitmq-server" })
        {
            services.ShouldContain(package);
        }

        Repository.Read("scripts/outage.sh").ShouldContain("pg_ctlcluster");
    }

    [Fact]
    public void Ci_runs_the_test_script_with_the_sdk_of_global_json_and_keeps_its_results()
    {
        var job = Workflow(Ci).At("jobs", "build-test")!;
        Uses(job, "actions/checkout").ShouldNotBeNull();
        Uses(job, "actions/setup-dotnet").Text("with", "global-json-file").ShouldBe("global.json");
        Runs(job).ShouldContain("bash scripts/test.sh");
        File.Exists(Repository.PathOf("scripts/test.sh")).ShouldBeTrue();

        var upload = Uses(job, "actions/upload-artifact");
        upload.ShouldNotBeNull();
        upload.Text("if").ShouldBe("always()");
        upload.Text("with", "path").ShouldNotBeNull().ShouldStartWith("TestResults");
        Runs(job).ShouldContain("TestResults/coverage/summary.txt >> \"$GITHUB_STEP_SUMMARY\"");
    }

    [Fact]
    public void Deploy_starts_from_a_successful_ci_run_on_main()
    {
        var deploy = Workflow(Deploy);
        var trigger = deploy.At("on", "workflow_run");
        trigger.ShouldNotBeNull("deploy.yml must wait for CI");
        trigger.Items("workflows").Select(w => ((YamlScalarNode)w).Value).ShouldBe([Workflow(Ci).Text("name")]);
        trigger.Items("types").Select(w => ((YamlScalarNode)w).Value).ShouldBe(["completed"]);
        trigger.Items("branches").Select(w => ((YamlScalarNode)w).Value).ShouldBe(["main"]);
        deploy.Text("jobs", "build-push", "if").ShouldNotBeNull().ShouldContain("github.event.workflow_run.conclusion == 'success'");
        deploy.Map("permissions").ShouldBe(new Dictionary<string, string> { ["contents"] = "read" });
    }

    [Fact]
    public void Deploy_builds_and_pushes_the_image_to_harbor()
    {
        var job = Workflow(Deploy).At("jobs", "build-push")!;
        Uses(job, "docker/setup-buildx-action").ShouldNotBeNull();
        var login = Uses(job, "docker/login-action");
        login.Text("with", "registry").ShouldBe("${{ vars.HARBOR_REGISTRY }}");
        login.Text("with", "username").ShouldBe("${{ secrets.HARBOR_USERNAME }}");
        login.Text("with", "password").ShouldBe("${{ secrets.HARBOR_PASSWORD }}");

        var build = Uses(job, "docker/build-push-action");
        build.ShouldNotBeNull();
        build.Text("with", "push").ShouldBe("true");
        build.Text("with", "cache-from").ShouldNotBeNullOrWhiteSpace();
        build.Text("with", "cache-to").ShouldNotBeNullOrWhiteSpace();
        // The tag is the registry, grocery/grocery-workflows and the tested commit.
        Runs(job).ShouldContain("$REGISTRY/grocery/grocery-workflows:$COMMIT");
        build.Text("with", "tags").ShouldBe("${{ steps.image.outputs.image }}");
        Workflow(Deploy).Text("env", "COMMIT").ShouldNotBeNull().ShouldContain("github.event.workflow_run.head_sha");

        // Only the head of main is built and released: an older commit whose CI finished late never replaces a newer one.
        Runs(job).ShouldContain("git ls-remote origin refs/heads/main");
        build.Text("if").ShouldBe("steps.head.outputs.current == 'true'");
        Workflow(Deploy).Text("jobs", "deploy", "if").ShouldNotBeNull().ShouldStartWith("needs.build-push.outputs.image != ''");
        Workflow(Deploy).Text("jobs", "canary", "if").ShouldNotBeNull().ShouldStartWith("needs.build-push.outputs.image != ''");
    }

    [Fact]
    public void Deploy_releases_the_pushed_image_blue_green_in_production()
    {
        var job = Workflow(Deploy).At("jobs", "deploy")!;
        job.Text("needs").ShouldBe("build-push");
        job.Text("environment").ShouldBe("production");
        Steps(job).ShouldContain(s => s.Text("env", "KUBE_CONFIG") == "${{ secrets.KUBE_CONFIG }}");
        var release = Steps(job).Single(s => s.Text("run")?.Contains("scripts/deploy/blue-green.sh", StringComparison.Ordinal) == true);
        release.Text("run").ShouldBe("bash scripts/deploy/blue-green.sh \"$IMAGE\"");
        release.Text("env", "IMAGE").ShouldBe("${{ needs.build-push.outputs.image }}");
        File.Exists(Repository.PathOf("scripts/deploy/blue-green.sh")).ShouldBeTrue();
    }

    [Fact]
    public void A_manual_run_chooses_between_blue_green_and_the_canary_track()
    {
        var deploy = Workflow(Deploy);
        var track = deploy.At("on", "workflow_dispatch", "inputs", "track");
        track.ShouldNotBeNull("a manual run must be able to ask for the canary track");
        track.Text("type").ShouldBe("choice");
        track.Items("options").Select(o => ((YamlScalarNode)o).Value).ShouldBe(["blue-green", "canary"]);
        track.Text("default").ShouldBe("blue-green");

        // Releases after CI stay blue-green; only a manual run asking for it goes on the canary track, never both.
        deploy.Text("jobs", "deploy", "if").ShouldNotBeNull().ShouldContain("github.event_name != 'workflow_dispatch' || inputs.track == 'blue-green'");
        var canaryIf = deploy.Text("jobs", "canary", "if");
        canaryIf.ShouldNotBeNull().ShouldContain("github.event_name == 'workflow_dispatch'");
        canaryIf.ShouldContain("inputs.track == 'canary'");
    }

    [Fact]
    public void The_canary_job_runs_the_canary_script_against_production_and_its_prometheus()
    {
        var job = Workflow(Deploy).At("jobs", "canary");
        job.ShouldNotBeNull("deploy.yml has no canary job");
        job.Text("needs").ShouldBe("build-push");
        job.Text("environment").ShouldBe("production");
        Steps(job).ShouldContain(s => s.Text("env", "KUBE_CONFIG") == "${{ secrets.KUBE_CONFIG }}");
        var release = Steps(job).Single(s => s.Text("run")?.Contains("scripts/deploy/canary.sh", StringComparison.Ordinal) == true);
        release.Text("run").ShouldBe("bash scripts/deploy/canary.sh \"$IMAGE\"");
        release.Text("env", "IMAGE").ShouldBe("${{ needs.build-push.outputs.image }}");
        release.Text("env", "PROMETHEUS_URL").ShouldNotBeNullOrWhiteSpace();
        File.Exists(Repository.PathOf("scripts/deploy/canary.sh")).ShouldBeTrue();

        // The job outlasts the three steps it holds, so a timeout does not cut the promotion short.
        var steps = release.Number("env", "STEP_SECONDS").ShouldNotBeNull();
        (job.Number("timeout-minutes") ?? 0).ShouldBeGreaterThan(3 * steps / 60);
    }

    [Fact]
    public void Every_action_is_pinned_to_a_major_version_and_every_job_has_a_timeout()
    {
        foreach (var file in new[] { Ci, Deploy })
        {
            var jobs = Workflow(file).At("jobs") as YamlMappingNode;
            jobs.ShouldNotBeNull(file);
            foreach (var (name, job) in jobs.Children.Select(c => (((YamlScalarNode)c.Key).Value, c.Value)))
            {
                job.Number("timeout-minutes").ShouldNotBeNull($"{file}: job {name} has no timeout-minutes");
                foreach (var uses in Steps(job).Select(s => s.Text("uses")).OfType<string>())
                {
                    PinnedToMajor().IsMatch(uses).ShouldBeTrue($"{file}: {uses} is not pinned to a major version");
                }
            }
        }
    }
}
