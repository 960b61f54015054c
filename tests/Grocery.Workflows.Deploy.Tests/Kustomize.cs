using System.Collections.Concurrent;
using System.Diagnostics;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// The objects `kubectl kustomize` renders from a directory of k8s/, each directory rendered once. kubectl must be on
/// PATH: a missing kubectl fails the test rather than skipping it, since the render is what a cluster would receive.
/// </summary>
public static class Kustomize
{
    public const string Staging = "k8s/overlays/staging";
    public const string Production = "k8s/overlays/production";

    /// <summary>Every environment: the directories under k8s/overlays/.</summary>
    public static IReadOnlyList<string> Environments() =>
        Directory.EnumerateDirectories(Repository.PathOf(Manifests.Overlays))
            .Select(d => $"{Manifests.Overlays}/{Path.GetFileName(d)}")
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> EnvironmentData() => new(Environments());

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<Manifest>>> Rendered = new(StringComparer.Ordinal);

    public static IReadOnlyList<Manifest> Render(string directory) =>
        Rendered.GetOrAdd(directory, d => new Lazy<IReadOnlyList<Manifest>>(() => Run(d))).Value;

    public static Manifest Named(this IReadOnlyList<Manifest> render, string kind, string name)
    {
        var found = render.Where(m => m.Kind == kind && m.Name == name).ToList();
        found.Count.ShouldBe(1, $"expected exactly one {kind} named {name} in the render");
        return found[0];
    }

    public static IReadOnlyList<Manifest> OfKind(this IReadOnlyList<Manifest> render, string kind) => render.Where(m => m.Kind == kind).ToList();

    /// <summary>The kubectl of PATH, or a failed assertion that says how to get one.</summary>
    public static string Kubectl()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl"))
            .FirstOrDefault(File.Exists);
        found.ShouldNotBeNull("kubectl is not on PATH: the overlays of k8s/overlays cannot be rendered (kubectl 1.27 or later, with kustomize 5)");
        return found;
    }

    private static List<Manifest> Run(string directory)
    {
        var start = new ProcessStartInfo(Kubectl())
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(Repository.PathOf(directory));

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromSeconds(60)).ShouldBeTrue($"kubectl kustomize {directory} did not finish within 60 s");
        process.ExitCode.ShouldBe(0, $"kubectl kustomize {directory} failed:\n{errors.Result}");

        var render = Yaml.Documents(output.Result).Select(root => new Manifest($"{directory} (rendered)", root)).ToList();
        render.ShouldNotBeEmpty($"kubectl kustomize {directory} rendered nothing");
        return render;
    }
}
