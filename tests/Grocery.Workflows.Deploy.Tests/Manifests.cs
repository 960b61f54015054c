using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>One Kubernetes object of k8s/base/, or of an overlay's render (File names the overlay).</summary>
public sealed record Manifest(string File, YamlMappingNode Root)
{
    public string Kind => Root.Text("kind") ?? "";

    public string Name => Root.Text("metadata", "name") ?? "";

    public override string ToString() => $"{Kind}/{Name} ({File})";
}

/// <summary>The manifests of k8s/base/ (every YAML file there but kustomization.yaml), read once.</summary>
public static class Manifests
{
    public const string Directory = "k8s/base";
    public const string Kustomization = "k8s/base/kustomization.yaml";
    public const string Overlays = "k8s/overlays";
    public const string Image = "harbor.example.com/grocery/grocery-workflows:latest";

    private static readonly Lazy<IReadOnlyList<Manifest>> Loaded = new(() =>
        Files().SelectMany(f => Yaml.Documents(Repository.Read(f)).Select(root => new Manifest(f, root))).ToList());

    public static IReadOnlyList<Manifest> All => Loaded.Value;

    /// <summary>Manifest files relative to the repository root, e.g. "k8s/base/hpa.yaml".</summary>
    public static IReadOnlyList<string> Files() =>
        System.IO.Directory.EnumerateFiles(Repository.PathOf(Directory))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => $"{Directory}/{Path.GetFileName(f)}")
            .Where(f => f != Kustomization)
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind).ToList();

    public static Manifest Named(string kind, string name)
    {
        var found = All.Where(m => m.Kind == kind && m.Name == name).ToList();
        found.Count.ShouldBe(1, $"expected exactly one {kind} named {name} in {Directory}/");
        return found[0];
    }

    public static IReadOnlyList<Manifest> Deployments => OfKind("Deployment");

    public static YamlNode? PodSpec(this Manifest deployment) => deployment.Root.At("spec", "template", "spec");

    public static IReadOnlyDictionary<string, string> PodLabels(this Manifest deployment) =>
        deployment.Root.Map("spec", "template", "metadata", "labels");

    public static IReadOnlyDictionary<string, string> PodAnnotations(this Manifest deployment) =>
        deployment.Root.Map("spec", "template", "metadata", "annotations");

    public static IReadOnlyList<YamlNode> Containers(this Manifest deployment) => deployment.PodSpec().Items("containers");

    /// <summary>The value of an environment variable set inline on a container, or null.</summary>
    public static string? Env(this YamlNode container, string name) =>
        container.Items("env").FirstOrDefault(e => e.Text("name") == name)?.Text("value");
}
