using System.Diagnostics;
using System.Text.Json;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// The load test's parts that need no engine: load/summary.py on Locust statistics whose percentiles are known, the
/// locustfile compiling under Debian's Python (the one python3-locust installs for), and scripts/load.sh refusing bad
/// arguments before it installs, builds or starts anything. Locust itself is not needed.
/// </summary>
public sealed class LoadScriptTests : IDisposable
{
    private const string Python = "/usr/bin/python3";

    // Locust 2.12's *_stats.csv: one row per request name, then the Aggregated row (no type); N/A where nothing was asked.
    private const string StatsHeader =
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time," +
        "Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

    private const string Stats = StatsHeader + """

        POST,checkout,120,2,41,60.5,9,1480,95,1.6,0.03,41,50,60,70,300,640,900,1200,1400,1480,1480
        POST,checkout refused,8,0,30,31.0,12,80,310,0.11,0.0,30,32,35,40,60,80,80,80,80,80,80
        GET,order,300,0,6,8.2,2,140,2100,4.0,0.0,6,7,8,9,12,30,70,110,140,140,140
        GET,products,900,0,4,6.1,1,210,9800,12.0,0.0,4,5,6,6,9,15,40,90,200,210,210
        GET,search,1500,3,9,20.4,2,800,4100,20.0,0.04,9,12,15,18,40,120,300,450,780,800,800
        GET,slots,400,0,3,4.0,1,700,2900,5.33,0.0,3,3,4,4,6,12,200,520,690,700,700
        POST,substitutions,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
        ,Aggregated,3228,5,6,14.3,1,1480,5000,43.04,0.07,6,8,10,12,30,90,250,400,900,1400,1480

        """;

    private const string Failures = """
        Method,Name,Error,Occurrences
        POST,checkout,CatchResponseError('HTTP 500 An error occurred while processing your request.'),2
        GET,search,CatchResponseError('no answer: ConnectionRefusedError'),3

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("grocery-load-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_summary_gives_each_route_its_p99_and_judges_the_budgets_on_it()
    {
        var stats = Path.Combine(_directory, "locust_stats.csv");
        var failures = Path.Combine(_directory, "locust_failures.csv");
        await File.WriteAllTextAsync(stats, Stats.Replace("\r", "", StringComparison.Ordinal));
        await File.WriteAllTextAsync(failures, Failures.Replace("\r", "", StringComparison.Ordinal));

        var result = await Run(Python, Repository.PathOf("load/summary.py"), "--stats", stats, "--failures", failures,
            "--mode", "quick", "--stack", "embedded", "--users", "120", "--duration", "75", "--table");

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Count(l => l.StartsWith('{')).ShouldBe(1, result.Output);
        using var json = JsonDocument.Parse(lines[^1]);
        var summary = json.RootElement;
        summary.GetProperty("mode").GetString().ShouldBe("quick");
        summary.GetProperty("stack").GetString().ShouldBe("embedded");
        summary.GetProperty("users").GetInt32().ShouldBe(120);
        summary.GetProperty("duration_s").GetInt32().ShouldBe(75);
        summary.GetProperty("requests").GetInt32().ShouldBe(3228);
        summary.GetProperty("failures").GetInt32().ShouldBe(5);
        summary.GetProperty("failure_ratio").GetDouble().ShouldBe(0.0015, 0.0001);
        summary.GetProperty("rps").GetDouble().ShouldBe(43.04);

        var routes = summary.GetProperty("routes");
        routes.EnumerateObject().Select(r => r.Name).ShouldBe(
            ["checkout", "checkout refused", "order", "products", "search", "slots", "substitutions"], ignoreOrder: true);
        var search = routes.GetProperty("search");
        search.GetProperty("requests").GetInt32().ShouldBe(1500);
        search.GetProperty("rps").GetDouble().ShouldBe(20.0);
        search.GetProperty("p50_ms").GetInt32().ShouldBe(9);
        search.GetProperty("p95_ms").GetInt32().ShouldBe(120);
        search.GetProperty("p99_ms").GetInt32().ShouldBe(450);
        search.GetProperty("failures").GetInt32().ShouldBe(3);
        routes.GetProperty("checkout").GetProperty("p99_ms").GetInt32().ShouldBe(1200);
        routes.GetProperty("checkout refused").GetProperty("failures").GetInt32().ShouldBe(0);
        routes.GetProperty("slots").GetProperty("p99_ms").GetInt32().ShouldBe(520);
        routes.GetProperty("substitutions").GetProperty("requests").GetInt32().ShouldBe(0);
        routes.GetProperty("substitutions").GetProperty("p99_ms").ValueKind.ShouldBe(JsonValueKind.Null);

        // p99, not p95 (checkout's 640 and slots' 12 would pass) nor the maximum (search's 800 would fail).
        var budgets = summary.GetProperty("budgets");
        budgets.GetProperty("search_p99_ms<=500").GetBoolean().ShouldBeTrue();
        budgets.GetProperty("checkout_p99_ms<=1000").GetBoolean().ShouldBeFalse();
        budgets.GetProperty("slots_p99_ms<=500").GetBoolean().ShouldBeFalse();
        summary.GetProperty("search_p99_ms").GetInt32().ShouldBe(450);
        summary.GetProperty("checkout_p99_ms").GetInt32().ShouldBe(1200);
        summary.GetProperty("slots_p99_ms").GetInt32().ShouldBe(520);

        // The table comes first, with the failures as Locust grouped them.
        result.Output.ShouldContain("HTTP 500 An error occurred while processing your request.");
        lines[0].ShouldStartWith("route");
    }

    [Fact]
    public async Task A_route_at_its_budget_passes_and_one_without_requests_is_not_judged()
    {
        var stats = Path.Combine(_directory, "locust_stats.csv");
        await File.WriteAllTextAsync(stats, StatsHeader + "\n" +
            "GET,search,10,0,5,5.0,1,500,100,1.0,0.0,5,5,5,5,5,100,400,500,500,500,500\n" +
            "POST,checkout,10,0,20,20.0,5,1000,100,1.0,0.0,20,20,20,20,20,100,900,1000,1000,1000,1000\n" +
            ",Aggregated,20,0,6,6.0,1,1000,100,2.0,0.0,6,6,6,6,20,100,900,1000,1000,1000,1000\n");

        var result = await Run(Python, Repository.PathOf("load/summary.py"), "--stats", stats, "--failures", Path.Combine(_directory, "none.csv"),
            "--mode", "full", "--stack", "production", "--users", "300", "--duration", "300");

        result.ExitCode.ShouldBe(0, result.ToString());
        using var json = JsonDocument.Parse(result.Output.Trim());
        var budgets = json.RootElement.GetProperty("budgets");
        budgets.GetProperty("search_p99_ms<=500").GetBoolean().ShouldBeTrue();
        budgets.GetProperty("checkout_p99_ms<=1000").GetBoolean().ShouldBeTrue();
        budgets.GetProperty("slots_p99_ms<=500").ValueKind.ShouldBe(JsonValueKind.Null);
        json.RootElement.GetProperty("slots_p99_ms").ValueKind.ShouldBe(JsonValueKind.Null);
        json.RootElement.GetProperty("failure_ratio").GetDouble().ShouldBe(0);
    }

    [Fact]
    public async Task The_summary_refuses_a_file_that_is_not_locust_statistics()
    {
        var stats = Path.Combine(_directory, "locust_stats.csv");
        await File.WriteAllTextAsync(stats, "a,b\n1,2\n");

        var result = await Run(Python, Repository.PathOf("load/summary.py"), "--stats", stats,
            "--mode", "quick", "--stack", "embedded", "--users", "1", "--duration", "1");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Output.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("load/locustfile.py")]
    [InlineData("load/summary.py")]
    [InlineData("load/warmup.py")]
    public async Task The_load_test_compiles_under_debians_python(string file)
    {
        // The byte code goes to a directory of the test's, not beside the file in the repository.
        var result = await Run(Python, new Dictionary<string, string> { ["PYTHONPYCACHEPREFIX"] = _directory },
            "-m", "py_compile", Repository.PathOf(file));

        result.ExitCode.ShouldBe(0, result.ToString());
    }

    [Theory]
    [InlineData("--stack", "nonsense")]
    [InlineData("--quick", "--stack")]
    [InlineData("--users", "0")]
    [InlineData("--users", "many")]
    [InlineData("--run-time", "soon")]
    [InlineData("--spawn-rate", "0")]
    [InlineData("--bogus")]
    public async Task Bad_arguments_get_the_usage_and_start_nothing(params string[] arguments)
    {
        // Every command the script would install, build or start with is a stand-in that writes down that it ran.
        var bin = Path.Combine(_directory, "bin");
        Directory.CreateDirectory(bin);
        var calls = Path.Combine(_directory, "calls");
        await File.WriteAllTextAsync(calls, "");
        foreach (var command in new[] { "dotnet", "apt-get", "sudo", "flock", "curl", "timeout", "psql", "rabbitmqctl", "locust", "mktemp", "setsid" })
        {
            var stub = Path.Combine(bin, command);
            await File.WriteAllTextAsync(stub, $"#!/usr/bin/env bash\necho \"{command} $*\" >> \"{calls}\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var result = await Shell.RunAsync("scripts/load.sh", arguments, new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
        });

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Errors.ShouldContain("Usage: bash scripts/load.sh");
        result.Output.ShouldBeEmpty();
        (await File.ReadAllTextAsync(calls)).ShouldBeEmpty();
        if (arguments is ["--stack", "nonsense"])
        {
            result.Errors.ShouldContain("--stack must be embedded or production, not 'nonsense'");
        }
    }

    private static Task<ShellResult> Run(string file, params string[] arguments) => Run(file, new Dictionary<string, string>(), arguments);

    private static async Task<ShellResult> Run(string file, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new ShellResult(process.ExitCode, await output, await errors);
    }
}
