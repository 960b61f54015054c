using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Grocery.Workflows.Bench;

/// <summary>One engine process (the built Grocery.Workflows.Host.dll) on a free loopback port; stopped by its PID.</summary>
internal sealed class Engine : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private long _peakWorkingSet;

    private Engine(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    /// <summary>The process's working directory; the embedded default keeps its SQLite file under <c>data/</c> here.</summary>
    public string WorkingDirectory => _directory;

    /// <summary>The highest working set seen by <see cref="SampleWorkingSet"/>, in MB.</summary>
    public double PeakWorkingSetMb => _peakWorkingSet / 1024.0 / 1024.0;

    public static async Task<Engine> Start(string repository, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(repository, "src", "Host", "bin", "Release", "net10.0", "Grocery.Workflows.Host.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("Build first: dotnet build -c Release", dll);
        }

        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("grocery-bench-").FullName;
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Development, as the README's run command: the simulator and the sandbox are what the bench drives.
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["Management__Urls"] = "http://127.0.0.1:0";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The bench is one client placing thousands of orders for a thousand customers: the rate limits would measure themselves.
        foreach (var limit in new[] { "OrdersPerClient", "OrdersPerCustomer", "ReplaysPerOperator", "JobRunsPerOperator" })
        {
            info.Environment[$"RateLimits__{limit}__Permits"] = "1000000";
            info.Environment[$"RateLimits__{limit}__Burst"] = "1000000";
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain the output so that the engine never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var engine = new Engine(process, directory, new Uri($"http://127.0.0.1:{port}"));
        await engine.Ready(TimeSpan.FromSeconds(180));
        // The bench calls as the storefront backend, an operator and a scheduler at once: a token of all three roles
        // from the engine's own token command, signed with the key it created in its working directory.
        engine.Client.DefaultRequestHeaders.Authorization = new("Bearer", await Token(dll, directory, info.Environment));
        return engine;
    }

    private static async Task<string> Token(string dll, string directory, IDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("dotnet", [dll, "token", "--role", "storefront,ops,scheduler", "--name", "bench", "--lifetime", "1.00:00:00"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var token = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? token.Trim() : throw new InvalidOperationException($"token exited with {process.ExitCode}: {errors}");
    }

    public async Task Ready(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The engine exited with {_process.ExitCode}");
            }

            try
            {
                using var ready = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The engine was not ready within {timeout}");
    }

    public void SampleWorkingSet()
    {
        _process.Refresh();
        _peakWorkingSet = Math.Max(_peakWorkingSet, _process.WorkingSet64);
    }

    public void ResetPeak() => _peakWorkingSet = 0;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open; the temp directory is cleaned by the system.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
