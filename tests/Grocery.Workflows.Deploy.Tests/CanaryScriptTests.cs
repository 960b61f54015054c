using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// scripts/deploy/canary.sh against a fake kubectl that logs every call and keeps the canary weight in a file, and a
/// stand-in Prometheus on 127.0.0.1 that answers /api/v1/query in Prometheus' JSON format with a burn rate chosen by the
/// current weight. Steps are held for 0 s with two checks each, so nothing depends on timing.
/// </summary>
public sealed partial class CanaryScriptTests : IDisposable
{
    private const string Script = "scripts/deploy/canary.sh";
    private const string Image = "harbor.example.com/grocery/grocery-workflows:4567def";
    private const string Checkout = "grocery:checkout_latency_slo:burn_rate5m";
    private const string SlotBooking = "grocery:slot_booking_slo:burn_rate5m";
    private const string CanaryCheckout = "grocery:canary_checkout_latency_slo:burn_rate5m";
    private const string CanarySlotBooking = "grocery:canary_slot_booking_slo:burn_rate5m";
    private const int ChecksPerStep = 2;

    // The fake kubectl: arguments after --namespace; the weight the canary Ingress was given last in $FAKE_DIR/weight.
    private const string FakeKubectl = """
        #!/usr/bin/env bash
        set -euo pipefail
        [ "$1" = --namespace ] && shift 2
        echo "kubectl $*" >> "$FAKE_DIR/calls"
        case "$1 $2" in
          "get service") echo blue ;;
          "get deployment") echo 3 ;;
          "annotate ingress")
            sed -n 's/.*canary-weight=\([0-9]*\).*/\1/p' <<<"$*" > "$FAKE_DIR/weight" ;;
          "rollout status")
            for failing in ${FAKE_FAILING_ROLLOUTS:-}; do
              if [ "$3" = "deployment/$failing" ]; then echo "timed out" >&2; exit 1; fi
            done ;;
        esac
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("grocery-canary-").FullName;
    private readonly LocalHttpServer _prometheus;
    private readonly ConcurrentQueue<(string Query, string Weight)> _queries = new();

    /// <summary>The canary weight at which the stand-in reports a checkout burn rate of 20 (above 14.4); null: never.</summary>
    private string? _burningAt;

    /// <summary>The weight at which the canary's own checkout burn rate is 100 while the global one stays low; null: never.</summary>
    private string? _canaryBurningAt;

    /// <summary>The stand-in's whole answer, when a test wants something other than a vector of one sample.</summary>
    private string? _answer;

    [GeneratedRegex(@"canary-weight=(?<weight>\d+)")]
    private static partial Regex Weight();

    public CanaryScriptTests() => _prometheus = new LocalHttpServer(AnswerAsync);

    public void Dispose()
    {
        _prometheus.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>GET /api/v1/query?query=... answered like Prometheus, anything else 404.</summary>
    private async Task<LocalHttpResponse> AnswerAsync(LocalHttpRequest request)
    {
        var query = request.Target.StartsWith("/api/v1/query?", StringComparison.Ordinal)
            ? request.Target["/api/v1/query?".Length..].Split('&').Select(p => p.Split('=', 2))
                .Where(p => p is ["query", _]).Select(p => Uri.UnescapeDataString(p[1].Replace('+', ' '))).FirstOrDefault()
            : null;
        if (query is null)
        {
            return new LocalHttpResponse(HttpStatusCode.NotFound);
        }

        var weightFile = Path.Combine(_directory, "weight");
        var weight = File.Exists(weightFile) ? (await File.ReadAllTextAsync(weightFile)).Trim() : "";
        _queries.Enqueue((query, weight));
        var burn = query switch
        {
            Checkout when weight == _burningAt => "20",
            CanaryCheckout when weight == _canaryBurningAt => "100",
            _ => "0.5",
        };
        var sample = $$"""{"metric":{"__name__":"{{query}}"},"value":[1767225600.123,"{{burn}}"]}""";
        var body = _answer ?? """{"status":"success","data":{"resultType":"vector","result":[""" + sample + "]}}";
        return new LocalHttpResponse(HttpStatusCode.OK, "application/json", body);
    }

    private async Task<(ShellResult Result, IReadOnlyList<string> Calls)> Release(string? prometheus = null, string? failingRollouts = null)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "calls"), "");
        var kubectl = Path.Combine(_directory, "kubectl");
        await File.WriteAllTextAsync(kubectl, FakeKubectl.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var environment = new Dictionary<string, string>
        {
            ["FAKE_DIR"] = _directory,
            ["KUBECTL"] = kubectl,
            ["NAMESPACE"] = "grocery",
            ["PROMETHEUS_URL"] = prometheus ?? _prometheus.Url,
            ["PROMETHEUS_TIMEOUT"] = "5",
            ["STEP_SECONDS"] = "0",
            ["CHECKS_PER_STEP"] = ChecksPerStep.ToString(CultureInfo.InvariantCulture),
            ["FAKE_FAILING_ROLLOUTS"] = failingRollouts ?? "",
        };
        var result = await Shell.RunAsync(Script, [Image], environment);
        var calls = (await File.ReadAllLinesAsync(Path.Combine(_directory, "calls"))).ToList();
        return (result, calls);
    }

    private static List<string> Weights(IReadOnlyList<string> calls) =>
        calls.Select(c => Weight().Match(c)).Where(m => m.Success).Select(m => m.Groups["weight"].Value).ToList();

    private static int IndexOf(IReadOnlyList<string> calls, string call)
    {
        var index = calls.ToList().IndexOf(call);
        index.ShouldBeGreaterThanOrEqualTo(0, $"no call '{call}' in:\n{string.Join('\n', calls)}");
        return index;
    }

    private static void ShouldNotPromote(IReadOnlyList<string> calls)
    {
        calls.ShouldNotContain(c => c.StartsWith("kubectl set image deployment/grocery-engine ", StringComparison.Ordinal), string.Join('\n', calls));
        calls.ShouldNotContain(c => c.StartsWith("kubectl set image deployment/grocery-api-blue ", StringComparison.Ordinal), string.Join('\n', calls));
    }

    private static void ShouldEndAtRest(IReadOnlyList<string> calls)
    {
        var rest = calls.TakeLast(3).ToList();
        rest.ShouldContain("kubectl scale deployment/grocery-api-canary --replicas 0", string.Join('\n', calls));
        rest.ShouldContain("kubectl scale deployment/grocery-engine-canary --replicas 0", string.Join('\n', calls));
        Weights(calls)[^1].ShouldBe("0");
    }

    [Fact]
    public async Task A_healthy_canary_goes_5_25_100_and_is_promoted()
    {
        var (result, calls) = await Release();

        result.ExitCode.ShouldBe(0, result.ToString());
        Weights(calls).ShouldBe(["5", "25", "100", "0"]);

        // Every step is judged on both burn rates, CHECKS_PER_STEP times, at the weight of that step.
        foreach (var weight in new[] { "5", "25", "100" })
        {
            _queries.Count(q => q.Weight == weight && q.Query == Checkout).ShouldBe(ChecksPerStep, $"checkout checks at {weight} %");
            _queries.Count(q => q.Weight == weight && q.Query == SlotBooking).ShouldBe(ChecksPerStep, $"slot booking checks at {weight} %");
            _queries.Count(q => q.Weight == weight && q.Query == CanaryCheckout).ShouldBe(ChecksPerStep, $"canary checkout checks at {weight} %");
            _queries.Count(q => q.Weight == weight && q.Query == CanarySlotBooking).ShouldBe(ChecksPerStep, $"canary slot booking checks at {weight} %");
        }

        // The canaries get the image first; the engine canary's pods are its share of the messages (3 stable pods:
        // 1 canary at 5 and 25 %, all 3 at 100 % with the stable engine at zero).
        var canaryImage = IndexOf(calls, $"kubectl set image deployment/grocery-engine-canary grocery-workflows={Image}");
        IndexOf(calls, $"kubectl set image deployment/grocery-api-canary grocery-workflows={Image}")
            .ShouldBeLessThan(IndexOf(calls, "kubectl annotate ingress grocery-api-canary nginx.ingress.kubernetes.io/canary-weight=5 --overwrite"));
        calls.Where(c => c.StartsWith("kubectl scale deployment/grocery-engine-canary ", StringComparison.Ordinal))
            .ShouldBe([
                "kubectl scale deployment/grocery-engine-canary --replicas 1",
                "kubectl scale deployment/grocery-engine-canary --replicas 1",
                "kubectl scale deployment/grocery-engine-canary --replicas 3",
                "kubectl scale deployment/grocery-engine-canary --replicas 0",
            ]);
        var stableDown = IndexOf(calls, "kubectl scale deployment/grocery-engine --replicas 0");
        var full = IndexOf(calls, "kubectl annotate ingress grocery-api-canary nginx.ingress.kubernetes.io/canary-weight=100 --overwrite");

        // Promotion: the stable engine and the live colour get the image while the canary has all the traffic, then the
        // weight goes back to 0 and the canaries to zero.
        var engine = IndexOf(calls, $"kubectl set image deployment/grocery-engine grocery-workflows={Image}");
        var engineUp = IndexOf(calls, "kubectl scale deployment/grocery-engine --replicas 3");
        var live = IndexOf(calls, $"kubectl set image deployment/grocery-api-blue grocery-workflows={Image}");
        var liveDone = IndexOf(calls, "kubectl rollout status deployment/grocery-api-blue --timeout 10m");
        var back = calls.ToList().FindLastIndex(c => c == "kubectl annotate ingress grocery-api-canary nginx.ingress.kubernetes.io/canary-weight=0 --overwrite");
        canaryImage.ShouldBeLessThan(stableDown);
        stableDown.ShouldBeLessThan(full);
        full.ShouldBeLessThan(engine);
        engine.ShouldBeLessThan(engineUp);
        engineUp.ShouldBeLessThan(live);
        live.ShouldBeLessThan(liveDone);
        liveDone.ShouldBeLessThan(back);
        ShouldEndAtRest(calls);
        calls.ShouldNotContain(c => c.StartsWith("kubectl set image deployment/grocery-api-green ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_burn_rate_over_the_threshold_at_25_per_cent_rolls_back_without_promoting()
    {
        _burningAt = "25";

        var (result, calls) = await Release();

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain($"{Checkout} is 20, above 14.4");
        result.Errors.ShouldContain("rolled back");
        Weights(calls).ShouldBe(["5", "25", "0"]);
        _queries.ShouldNotContain(q => q.Weight == "100");
        ShouldNotPromote(calls);
        ShouldEndAtRest(calls);
        // The stable engine was never scaled down, so it is not scaled back either.
        calls.ShouldNotContain(c => c.StartsWith("kubectl scale deployment/grocery-engine ", StringComparison.Ordinal));
    }

    /// <summary>At 5 % a canary failing all its checkouts moves the global burn rate by 5 only; its own rate catches it.</summary>
    [Fact]
    public async Task A_canary_burning_its_own_budget_at_5_per_cent_rolls_back_there()
    {
        _canaryBurningAt = "5";

        var (result, calls) = await Release();

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain($"{CanaryCheckout} is 100, above 14.4");
        Weights(calls).ShouldBe(["5", "0"]);
        _queries.ShouldNotContain(q => q.Weight == "25");
        ShouldNotPromote(calls);
        ShouldEndAtRest(calls);
    }

    [Fact]
    public async Task A_burn_at_100_per_cent_brings_the_stable_engine_back_before_the_canary_goes()
    {
        _burningAt = "100";

        var (result, calls) = await Release();

        result.ExitCode.ShouldNotBe(0);
        Weights(calls).ShouldBe(["5", "25", "100", "0"]);
        ShouldNotPromote(calls);
        var up = IndexOf(calls, "kubectl scale deployment/grocery-engine --replicas 3");
        IndexOf(calls, "kubectl rollout status deployment/grocery-engine --timeout 10m").ShouldBeGreaterThan(up);
        IndexOf(calls, "kubectl scale deployment/grocery-engine-canary --replicas 0").ShouldBeGreaterThan(up);
        ShouldEndAtRest(calls);
    }

    [Fact]
    public async Task An_unreachable_prometheus_rolls_back()
    {
        // A port that was just free: nothing listens there.
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var (result, calls) = await Release(prometheus: $"http://127.0.0.1:{port}");

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("did not answer");
        Weights(calls).ShouldBe(["5", "0"]);
        ShouldNotPromote(calls);
        ShouldEndAtRest(calls);
    }

    [Fact]
    public async Task A_prometheus_error_answer_rolls_back()
    {
        _answer = """{"status":"error","errorType":"bad_data","error":"parse error"}""";

        var (result, calls) = await Release();

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("is not a vector");
        Weights(calls).ShouldBe(["5", "0"]);
        ShouldNotPromote(calls);
    }

    [Fact]
    public async Task No_traffic_in_the_window_is_no_verdict()
    {
        _answer = """{"status":"success","data":{"resultType":"vector","result":[]}}""";

        var (result, calls) = await Release();

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("no sample");
        Weights(calls).ShouldBe(["5", "25", "100", "0"]);
    }

    [Fact]
    public async Task A_canary_that_does_not_roll_out_never_gets_traffic()
    {
        var (result, calls) = await Release(failingRollouts: "grocery-api-canary");

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("deployment/grocery-api-canary did not roll out");
        Weights(calls).ShouldBe(["0"]);
        _queries.ShouldBeEmpty();
        ShouldEndAtRest(calls);
    }

    [Fact]
    public async Task Without_prometheus_the_script_refuses_to_start_and_touches_nothing()
    {
        var kubectl = Path.Combine(_directory, "never-called");
        var result = await Shell.RunAsync(Script, [Image], new Dictionary<string, string> { ["KUBECTL"] = kubectl, ["PROMETHEUS_URL"] = "" });

        result.ExitCode.ShouldNotBe(0);
        result.Errors.ShouldContain("PROMETHEUS_URL is not set");
        File.Exists(Path.Combine(_directory, "calls")).ShouldBeFalse();
    }

    [Fact]
    public void The_script_names_what_the_manifests_and_the_rules_define()
    {
        var script = Repository.Read(Script);
        string Value(string name) => Regex.Match(script, $"^{name}=(\\S+)$", RegexOptions.Multiline).Groups[1].Value;

        Manifests.Named("Deployment", Value("ENGINE"));
        Manifests.Named("Deployment", Value("ENGINE_CANARY"));
        Manifests.Named("Deployment", Value("API_CANARY"));
        Manifests.Named("Service", Value("LIVE_SERVICE"));
        var ingress = Manifests.Named("Ingress", Value("CANARY_INGRESS"));
        ingress.Root.Map("metadata", "annotations").ShouldContainKey(Value("WEIGHT_ANNOTATION"));
        foreach (var deployment in Manifests.Deployments)
        {
            deployment.Containers().Select(c => c.Text("name")).ShouldContain(Value("CONTAINER"), deployment.ToString());
        }

        // The burn rates it reads are recording rules, and it rolls back where the fast page alert pages.
        var rules = Yaml.Documents(Repository.Read("deploy/prometheus/rules/grocery-recording.yml")).Single()
            .Items("groups").SelectMany(g => g.Items("rules")).Select(r => r.Text("record")).OfType<string>().ToHashSet();
        var named = Regex.Match(script, @"^BURN_RATE_RULES=\((?<rules>[^)]*)\)$", RegexOptions.Multiline).Groups["rules"].Value
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        named.ShouldBe([Checkout, SlotBooking, CanaryCheckout, CanarySlotBooking]);
        named.ShouldAllBe(rule => rules.Contains(rule));

        var threshold = Regex.Match(script, @"^BURN_RATE_THRESHOLD=\$\{BURN_RATE_THRESHOLD:-(?<value>[\d.]+)\}$", RegexOptions.Multiline).Groups["value"].Value;
        threshold.ShouldNotBeNullOrEmpty();
        var alerts = Yaml.Documents(Repository.Read("deploy/prometheus/rules/grocery-slo-alerts.yml")).Single()
            .Items("groups").SelectMany(g => g.Items("rules")).ToList();
        // The canary's own rates have no alert of their own: the script holds them to the global fast page threshold.
        foreach (var rule in named.Where(r => !r.StartsWith("grocery:canary_", StringComparison.Ordinal)))
        {
            var page = alerts.Where(a => a.Text("labels", "severity") == "page" && (a.Text("expr") ?? "").Contains(rule, StringComparison.Ordinal)).ToList();
            page.Count.ShouldBe(1, $"one page alert reads {rule}");
            page[0].Text("expr").ShouldNotBeNull().ShouldContain($"{rule} > {threshold}");
        }
    }
}
