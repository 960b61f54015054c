using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// The engine as a real process (the built Grocery.Workflows.Host.dll), on a free loopback port, in a working
/// directory of its own. Stopped by its PID when disposed.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _workingDirectory;

    private readonly bool _ownsDirectory;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private HostProcess(Process process, string workingDirectory, bool ownsDirectory, Uri baseAddress, IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
        _ownsDirectory = ownsDirectory;
        _process = process;
        _workingDirectory = workingDirectory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public TimeSpan StartedIn { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string WorkingDirectory => _workingDirectory;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the host; in <paramref name="workingDirectory"/> (kept afterwards) or a new temporary one.</summary>
    public static async Task<HostProcess> Start(IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        // A free port is free only when it is picked. The host binds it last, after its start-up work (migrations, the
        // seed: seconds), and meanwhile a port 0 elsewhere (another instance's management server, an outgoing
        // connection) may be given the same one. A host that lost its port so exits; it is started again on another
        // port, three times at most, and finds its start-up work done.
        var attempts = 0;
        while (true)
        {
            try
            {
                return await StartOnce(environment, workingDirectory);
            }
            catch (PortTakenException) when (++attempts < 3)
            {
                // Another port, same everything else.
            }
        }
    }

    private static async Task<HostProcess> StartOnce(IReadOnlyDictionary<string, string> environment, string? workingDirectory)
    {
        var port = FreePort();
        var directory = workingDirectory ?? Directory.CreateTempSubdirectory("grocery-e2e-").FullName;
        var info = new ProcessStartInfo("dotnet", [HostDll()])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // As the README's run command starts it (dotnet run takes Development from launchSettings.json); a test may say otherwise.
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["Management__Urls"] = "http://127.0.0.1:0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Every test calls as one subject and most as one customer, a hundred orders at a time: out of the limits' way.
        foreach (var limit in new[] { "OrdersPerClient", "OrdersPerCustomer", "ReplaysPerOperator", "JobRunsPerOperator" })
        {
            info.Environment[$"RateLimits__{limit}__Permits"] = "1000000";
            info.Environment[$"RateLimits__{limit}__Burst"] = "1000000";
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new HostProcess(process, directory, workingDirectory is null, new Uri($"http://127.0.0.1:{port}"), info.Environment
            .Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!));
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                var output = host.Output;
                if (output.Contains($"Failed to bind to address http://127.0.0.1:{port}: address already in use", StringComparison.Ordinal))
                {
                    await host.DisposeAsync();
                    throw new PortTakenException($"Port {port} was taken before the host bound it:\n{output}");
                }

                throw new InvalidOperationException($"The host exited with {process.ExitCode}:\n{output}");
            }

            try
            {
                using var live = await host.Client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (live.IsSuccessStatusCode)
                {
                    host.StartedIn = clock.Elapsed;
                    // As the README has a newcomer do it: a token printed by the host's token command, all three roles.
                    host.Client.DefaultRequestHeaders.Authorization = new("Bearer", await host.Token("--role", "storefront,ops,scheduler", "--name", "e2e"));
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        await host.DisposeAsync();
        throw new TimeoutException($"The host did not answer /health/live within 90 s:\n{host.Output}");
    }

    /// <summary>
    /// Runs <c>Grocery.Workflows.Host token ARGS</c> in the host's working directory and environment, as
    /// <c>dotnet run --project src/Host -- token ...</c> does, and returns what it printed: exactly one token.
    /// </summary>
    public async Task<string> Token(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet", [HostDll(), "token", .. arguments])
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"token exited with {process.ExitCode}: {await errors}");
        }

        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, $"token prints exactly one line on stdout: {await output}");
        return lines[0].Trim();
    }

    /// <summary>Waits until /health/ready answers 200 (migrations and seed done, bus running).</summary>
    public async Task Ready(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var ready = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The host was not ready within {timeout}:\n{Output}");
    }

    /// <summary>kill -9: no shutdown, no flush.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as Kubernetes or systemd would send it; returns how long the host took to exit.</summary>
    public async Task<TimeSpan> Terminate(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the OS's temp clean-up.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The host built in the same configuration as these tests.</summary>
    internal static string HostDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "Host", "bin", configuration, "net10.0", "Grocery.Workflows.Host.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException("Grocery.Workflows.Host.dll was not built; build the solution first.");
    }
}

/// <summary>The host's port was given to another socket between the test picking it and the host binding it.</summary>
public sealed class PortTakenException(string message) : Exception(message);
