using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// scripts/deploy/blue-green.sh against a fake kubectl that keeps the live colour in a file and logs every call, and a
/// fake smoke test that fails on the calls it is told to fail.
/// </summary>
public sealed partial class BlueGreenScriptTests : IDisposable
{
    private const string Script = "scripts/deploy/blue-green.sh";
    private const string Image = "harbor.example.com/grocery/grocery-workflows:0123abc";

    // The fake kubectl: arguments after --namespace; state in $FAKE_DIR.
    private const string FakeKubectl = """
        #!/usr/bin/env bash
        set -euo pipefail
        [ "$1" = --namespace ] && shift 2
        echo "kubectl $*" >> "$FAKE_DIR/calls"
        case "$1 $2" in
          "get service")
            if [ "$3" = grocery-api ]; then cat "$FAKE_DIR/live"; else echo unknown; fi ;;
          "get deployment") echo "${FAKE_REPLICAS:-3}" ;;
          "rollout status")
            for failing in ${FAKE_FAILING_ROLLOUTS:-}; do
              if [ "$3" = "deployment/$failing" ]; then echo "timed out" >&2; exit 1; fi
            done ;;
          "patch service")
            colour=$(sed -n 's/.*"color":"\([a-z]*\)".*/\1/p' <<<"$*")
            if [ "$3" = grocery-api ]; then echo "$colour" > "$FAKE_DIR/live"; fi ;;
          port-forward*)
            echo $$ >> "$FAKE_DIR/forwards"
            exec sleep 60 ;;
          logs*) echo "a log line" ;;
        esac
        """;

    private const string FakeSmoke = """
        #!/usr/bin/env bash
        set -euo pipefail
        echo "smoke $*" >> "$FAKE_DIR/calls"
        count=$(grep -c '^smoke ' "$FAKE_DIR/calls")
        # Like the real smoke test, wait for the port-forward to open.
        for _ in $(seq 50); do
          if [ "$(cat "$FAKE_DIR/forwards" 2>/dev/null | wc -l)" -ge "$count" ]; then break; fi
          sleep 0.1
        done
        for failing in ${FAKE_FAILING_SMOKES:-}; do
          if [ "$count" = "$failing" ]; then echo "smoke test $count fails" >&2; exit 1; fi
        done
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("grocery-blue-green-").FullName;

    [GeneratedRegex(@"^kubectl patch service (?<service>\S+) .*""color"":""(?<colour>\w+)""")]
    private static partial Regex Patch();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(ShellResult Result, IReadOnlyList<string> Calls, string Live)> Release(
        string live = "blue", string? failingRollouts = null, string? failingSmokes = null, params string[] options)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "live"), live + "\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "calls"), "");
        await File.WriteAllTextAsync(Path.Combine(_directory, "forwards"), "");
        var kubectl = Path.Combine(_directory, "kubectl");
        var smoke = Path.Combine(_directory, "smoke");
        await File.WriteAllTextAsync(kubectl, FakeKubectl.Replace("\r", "", StringComparison.Ordinal) + "\n");
        await File.WriteAllTextAsync(smoke, FakeSmoke.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(smoke, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var environment = new Dictionary<string, string>
        {
            ["FAKE_DIR"] = _directory,
            ["KUBECTL"] = kubectl,
            ["SMOKE"] = smoke,
            ["GRACE_SECONDS"] = "0",
            ["NAMESPACE"] = "grocery",
            ["FAKE_FAILING_ROLLOUTS"] = failingRollouts ?? "",
            ["FAKE_FAILING_SMOKES"] = failingSmokes ?? "",
        };
        var result = await Shell.RunAsync(Script, [.. options, Image], environment);
        var calls = (await File.ReadAllLinesAsync(Path.Combine(_directory, "calls"))).ToList();
        var liveAfter = (await File.ReadAllTextAsync(Path.Combine(_directory, "live"))).Trim();
        return (result, calls, liveAfter);
    }

    private static int IndexOf(IReadOnlyList<string> calls, string call)
    {
        var index = calls.ToList().IndexOf(call);
        index.ShouldBeGreaterThanOrEqualTo(0, $"no call '{call}' in:\n{string.Join('\n', calls)}");
        return index;
    }

    [Fact]
    public async Task A_release_that_passes_switches_to_the_idle_colour_and_retires_the_old_one()
    {
        var (result, calls, live) = await Release(live: "blue");

        result.ExitCode.ShouldBe(0, result.ToString());
        live.ShouldBe("green");
        var engine = IndexOf(calls, $"kubectl set image deployment/grocery-engine grocery-workflows={Image}");
        var engineDone = IndexOf(calls, "kubectl rollout status deployment/grocery-engine --timeout 10m");
        var idle = IndexOf(calls, $"kubectl set image deployment/grocery-api-green grocery-workflows={Image}");
        var scaled = IndexOf(calls, "kubectl scale deployment/grocery-api-green --replicas 3");
        var idleDone = IndexOf(calls, "kubectl rollout status deployment/grocery-api-green --timeout 10m");
        var patches = calls.Select((c, i) => (Match: Patch().Match(c), Index: i)).Where(p => p.Match.Success)
            .Select(p => (Service: p.Match.Groups["service"].Value, Colour: p.Match.Groups["colour"].Value, p.Index)).ToList();
        patches.Select(p => (p.Service, p.Colour)).ShouldBe(
            [("grocery-api-preview", "green"), ("grocery-api", "green"), ("grocery-api-preview", "blue")]);
        var smokes = calls.Select((c, i) => (c, i)).Where(x => x.c.StartsWith("smoke ", StringComparison.Ordinal)).Select(x => x.i).ToList();
        smokes.Count.ShouldBe(2);
        var retired = IndexOf(calls, "kubectl scale deployment/grocery-api-blue --replicas 0");

        // The order is the safety: engine first, the idle colour ready and smoke-tested before the switch, the old one
        // scaled down only after the live service passed.
        engine.ShouldBeLessThan(engineDone);
        engineDone.ShouldBeLessThan(idle);
        idle.ShouldBeLessThan(scaled);
        scaled.ShouldBeLessThan(idleDone);
        idleDone.ShouldBeLessThan(patches[0].Index);
        patches[0].Index.ShouldBeLessThan(smokes[0]);
        smokes[0].ShouldBeLessThan(patches[1].Index);
        patches[1].Index.ShouldBeLessThan(smokes[1]);
        smokes[1].ShouldBeLessThan(retired);
    }

    [Fact]
    public async Task A_release_from_green_rolls_blue()
    {
        var (result, calls, live) = await Release(live: "green");

        result.ExitCode.ShouldBe(0, result.ToString());
        live.ShouldBe("blue");
        IndexOf(calls, $"kubectl set image deployment/grocery-api-blue grocery-workflows={Image}");
        IndexOf(calls, "kubectl scale deployment/grocery-api-green --replicas 0");
    }

    [Fact]
    public async Task An_engine_rollout_that_does_not_finish_is_undone_and_the_api_is_left_alone()
    {
        var (result, calls, live) = await Release(failingRollouts: "grocery-engine");

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("deployment/grocery-engine did not roll out");
        IndexOf(calls, "kubectl rollout undo deployment/grocery-engine");
        calls.ShouldNotContain(c => c.Contains("grocery-api", StringComparison.Ordinal), string.Join('\n', calls));
        live.ShouldBe("blue");
    }

    [Fact]
    public async Task An_idle_colour_that_does_not_roll_out_is_scaled_down_and_never_switched_to()
    {
        var (result, calls, live) = await Release(failingRollouts: "grocery-api-green");

        result.ExitCode.ShouldNotBe(0);
        live.ShouldBe("blue");
        calls.ShouldNotContain(c => c.StartsWith("kubectl patch service", StringComparison.Ordinal));
        calls[^1].ShouldBe("kubectl scale deployment/grocery-api-green --replicas 0");
    }

    [Fact]
    public async Task A_preview_that_fails_its_smoke_test_is_never_switched_to()
    {
        var (result, calls, live) = await Release(failingSmokes: "1");

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("smoke test of green");
        live.ShouldBe("blue");
        calls.ShouldNotContain(c => c.StartsWith("kubectl patch service grocery-api ", StringComparison.Ordinal));
        calls.ShouldContain("kubectl scale deployment/grocery-api-green --replicas 0");
        calls.ShouldNotContain("kubectl scale deployment/grocery-api-blue --replicas 0");
    }

    [Fact]
    public async Task A_live_service_that_fails_its_smoke_test_is_switched_back()
    {
        var (result, calls, live) = await Release(failingSmokes: "2");

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("it is back on blue");
        live.ShouldBe("blue");
        var livePatches = calls.Where(c => c.StartsWith("kubectl patch service grocery-api ", StringComparison.Ordinal)).ToList();
        livePatches.Count.ShouldBe(2);
        livePatches[0].ShouldContain("\"color\":\"green\"");
        livePatches[1].ShouldContain("\"color\":\"blue\"");
        calls.ShouldContain("kubectl scale deployment/grocery-api-green --replicas 0");
        calls.ShouldNotContain("kubectl scale deployment/grocery-api-blue --replicas 0");
    }

    [Fact]
    public async Task A_dry_run_reads_the_cluster_and_changes_nothing()
    {
        var (result, calls, live) = await Release(options: "--dry-run");

        result.ExitCode.ShouldBe(0, result.ToString());
        calls.ShouldNotBeEmpty();
        calls.ShouldAllBe(c => c.StartsWith("kubectl get ", StringComparison.Ordinal));
        result.Output.ShouldContain($"dry run: kubectl --namespace grocery set image deployment/grocery-engine grocery-workflows={Image}");
        live.ShouldBe("blue");
    }

    [Fact]
    public async Task The_smoke_tests_go_through_a_port_forward_on_loopback_that_is_stopped_afterwards()
    {
        var (result, calls, _) = await Release();

        result.ExitCode.ShouldBe(0, result.ToString());
        calls.ShouldContain("kubectl port-forward --address 127.0.0.1 service/grocery-api-preview 18080:80");
        calls.ShouldContain("kubectl port-forward --address 127.0.0.1 service/grocery-api 18080:80");
        // The metrics of the new colour, from its management port: no Service routes there.
        calls.Count(c => c == "kubectl port-forward --address 127.0.0.1 deployment/grocery-api-green 19464:9464").ShouldBe(2);
        calls.Count(c => c == "smoke http://127.0.0.1:18080 http://127.0.0.1:19464").ShouldBe(2);

        var forwards = await File.ReadAllLinesAsync(Path.Combine(_directory, "forwards"));
        forwards.Length.ShouldBe(4);
        foreach (var pid in forwards.Select(p => int.Parse(p, CultureInfo.InvariantCulture)))
        {
            Running(pid).ShouldBeFalse("a port-forward outlived the script");
        }
    }

    [Fact]
    public async Task Without_an_image_the_script_refuses_to_start()
    {
        var result = await Shell.RunAsync(Script, [], new Dictionary<string, string> { ["KUBECTL"] = "false" });

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("no image given");
    }

    [Fact]
    public void The_script_names_what_the_manifests_define()
    {
        var script = Repository.Read(Script);
        string Value(string name) => Regex.Match(script, $"^{name}=(\\S+)$", RegexOptions.Multiline).Groups[1].Value;

        Manifests.Named("Deployment", Value("ENGINE"));
        Manifests.Named("Deployment", Value("API") + "-blue");
        Manifests.Named("Deployment", Value("API") + "-green");
        Manifests.Named("Service", Value("LIVE_SERVICE"));
        Manifests.Named("Service", Value("PREVIEW_SERVICE"));
        foreach (var deployment in Manifests.Deployments)
        {
            deployment.Containers().Select(c => c.Text("name")).ShouldContain(Value("CONTAINER"), deployment.ToString());
        }

        // The containers' management port is what the metrics port-forward asks for.
        foreach (var container in Manifests.Deployments.SelectMany(d => d.Containers()))
        {
            DeploymentTests.PortNumber(container, "metrics").ShouldBe(int.Parse(Value("METRICS_PORT"), CultureInfo.InvariantCulture));
        }

        // The Services' port 80 is what the port-forward asks for.
        Manifests.Named("Service", Value("LIVE_SERVICE")).Root.Items("spec", "ports").ShouldContain(p => p.Text("port") == "80");
        Manifests.Named("Service", Value("PREVIEW_SERVICE")).Root.Items("spec", "ports").ShouldContain(p => p.Text("port") == "80");
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
