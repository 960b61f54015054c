using System.Net;
using System.Net.Sockets;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>scripts/deploy/smoke.sh against a stand-in of the engine on 127.0.0.1.</summary>
public sealed class SmokeScriptTests : IDisposable
{
    private const string Script = "scripts/deploy/smoke.sh";
    private const string Token = "ops-token-from-the-provider";

    private static readonly Dictionary<string, (string Type, string Body)> Healthy = new()
    {
        ["/health/ready"] = ("text/plain", "Healthy"),
        ["/api/stores"] = ("application/json; charset=utf-8", """[{"storeId":"hcm-01"}]"""),
        ["/api/features"] = ("application/json; charset=utf-8", "[]"),
        ["/metrics"] = ("text/plain; version=0.0.4", "# HELP orders_completed_total Orders.\n# TYPE orders_completed_total counter\norders_completed_total 0\n"),
    };

    private readonly LocalHttpServer _server;
    private readonly string _url;
    private Dictionary<string, (string Type, string Body)> _answers = new(Healthy);

    /// <summary>Whether the stand-in, like the engine, answers /api/ only with the ops token.</summary>
    private bool _requiresToken = true;

    public SmokeScriptTests()
    {
        _server = new LocalHttpServer(Answer);
        _url = _server.Url;
    }

    public void Dispose() => _server.Dispose();

    /// <summary>401 for /api/ without the ops token (while required), else from <see cref="_answers"/> or 503.</summary>
    private LocalHttpResponse Answer(LocalHttpRequest request)
    {
        var authorized = request.Headers.TryGetValue("Authorization", out var authorization) && authorization == $"Bearer {Token}";
        if (_requiresToken && request.Target.StartsWith("/api/", StringComparison.Ordinal) && !authorized)
        {
            return new LocalHttpResponse(HttpStatusCode.Unauthorized, "application/problem+json", "{}",
                new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" });
        }

        return _answers.TryGetValue(request.Target, out var answer)
            ? new LocalHttpResponse(HttpStatusCode.OK, answer.Type, answer.Body)
            : new LocalHttpResponse(HttpStatusCode.ServiceUnavailable);
    }

    /// <summary>The stand-in answers the API and /metrics alike: by default it is both the base and the management URL.</summary>
    private Task<ShellResult> Smoke(string? url = null, string? management = null, string? token = Token) =>
        Shell.RunAsync(Script, [url ?? _url, management ?? url ?? _url], new Dictionary<string, string>
        {
            ["SMOKE_ATTEMPTS"] = "2", ["SMOKE_DELAY"] = "0", ["SMOKE_TOKEN"] = token ?? "",
        });

    [Fact]
    public async Task The_api_is_asked_with_the_ops_token_and_without_one_it_must_refuse()
    {
        (await Smoke()).ExitCode.ShouldBe(0);

        var untokened = await Smoke(token: null);
        untokened.ExitCode.ShouldBe(0, untokened.Errors);
        untokened.Output.ShouldContain("SMOKE_TOKEN is not set");

        _requiresToken = false;
        var open = await Smoke(token: null);
        open.ExitCode.ShouldBe(1);
        open.Errors.ShouldContain("/api/stores: answered without a token");
    }

    [Fact]
    public async Task An_engine_that_answers_everything_passes()
    {
        var result = await Smoke(_url + "/");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("passed 4 of 4 checks");
    }

    [Fact]
    public async Task An_engine_that_is_not_ready_fails()
    {
        _answers = new(Healthy);
        _answers.Remove("/health/ready");

        var result = await Smoke();

        result.ExitCode.ShouldBe(1);
        result.Errors.ShouldContain("FAIL GET " + _url + "/health/ready: HTTP 503");
        result.Errors.ShouldContain("failed 1 of 4 checks");
    }

    [Fact]
    public async Task Stores_that_are_not_json_fail()
    {
        _answers = new(Healthy) { ["/api/stores"] = ("text/html", "<html>an error page</html>") };

        var result = await Smoke();

        result.ExitCode.ShouldBe(1);
        result.Errors.ShouldContain("/api/stores: not JSON");
    }

    [Fact]
    public async Task Metrics_without_the_orders_counter_fail()
    {
        _answers = new(Healthy) { ["/metrics"] = ("text/plain", "# HELP orders_completed_total Orders.\nprocess_cpu_seconds_total 1\n") };

        var result = await Smoke();

        result.ExitCode.ShouldBe(1);
        result.Errors.ShouldContain("/metrics: no sample of orders_completed_total");
    }

    [Fact]
    public async Task Metrics_are_asked_of_the_management_url_not_of_the_api()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var management = $"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}";

        var result = await Smoke(_url, management);

        result.ExitCode.ShouldBe(1);
        result.Errors.ShouldContain($"FAIL GET {management}/metrics: no answer");
        result.Errors.ShouldContain("failed 1 of 4 checks");
    }

    [Fact]
    public async Task Without_a_management_url_the_metrics_check_is_skipped_and_says_so()
    {
        var result = await Shell.RunAsync(Script, [_url], new Dictionary<string, string> { ["SMOKE_ATTEMPTS"] = "2", ["SMOKE_DELAY"] = "0" });

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("skip GET /metrics: no management URL given");
        result.Output.ShouldContain("passed 3 of 3 checks");
    }

    [Fact]
    public async Task Nothing_listening_fails_with_every_check()
    {
        // A port that is bound but not listening refuses connections, and stays ours until the test ends.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var result = await Smoke($"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}");

        result.ExitCode.ShouldBe(1);
        result.Errors.ShouldContain("no answer");
        result.Errors.ShouldContain("failed 4 of 4 checks");
    }

    [Fact]
    public async Task Without_a_url_the_script_says_how_to_call_it()
    {
        var result = await Shell.RunAsync(Script, [], new Dictionary<string, string>());

        result.ExitCode.ShouldBe(2);
        result.Errors.ShouldContain("usage:");
    }
}
