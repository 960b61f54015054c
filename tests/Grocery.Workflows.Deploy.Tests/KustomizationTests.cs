using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// k8s/base/kustomization.yaml lists exactly the manifests of k8s/base, all in namespace grocery; each environment of
/// k8s/overlays builds on the base with the current kustomize syntax.
/// </summary>
public sealed class KustomizationTests
{
    private static YamlMappingNode Kustomization => Yaml.Documents(Repository.Read(Manifests.Kustomization)).Single();

    private static IReadOnlyList<string> Listed =>
        Kustomization.Items("resources").Select(r => $"{Manifests.Directory}/{((YamlScalarNode)r).Value}").ToList();

    [Fact]
    public void Every_listed_manifest_exists()
    {
        Listed.ShouldNotBeEmpty();
        foreach (var file in Listed)
        {
            File.Exists(Repository.PathOf(file)).ShouldBeTrue($"{Manifests.Kustomization} lists {file}, which does not exist");
        }

        Listed.ShouldBeUnique();
    }

    [Fact]
    public void Every_manifest_file_is_listed()
    {
        var files = Manifests.Files();
        files.ShouldNotBeEmpty();
        foreach (var file in files)
        {
            Listed.ShouldContain(file, $"{file} is not in {Manifests.Kustomization}: kubectl apply -k would leave it out");
        }
    }

    [Fact]
    public void Every_object_lives_in_the_grocery_namespace()
    {
        Kustomization.Text("namespace").ShouldBe("grocery");
        Manifests.Named("Namespace", "grocery");
        foreach (var manifest in Manifests.All.Where(m => m.Kind != "Namespace"))
        {
            manifest.Root.Text("metadata", "namespace").ShouldBe("grocery", manifest.ToString());
        }
    }

    [Fact]
    public void Every_object_is_labelled_as_part_of_grocery_workflows()
    {
        foreach (var manifest in Manifests.All)
        {
            manifest.Root.Map("metadata", "labels").ShouldContainKeyAndValue("app.kubernetes.io/part-of", "grocery-workflows", manifest.ToString());
        }
    }

    [Fact]
    public void No_two_objects_of_a_kind_share_a_name()
    {
        Manifests.All.Select(m => $"{m.Kind}/{m.Name}").ShouldBeUnique();
    }

    // Fields kustomize 5 deprecates (kustomize edit fix rewrites them): bases, patchesStrategicMerge, patchesJson6902,
    // vars, commonLabels.
    private static readonly string[] Deprecated = ["bases", "patchesStrategicMerge", "patchesJson6902", "vars", "commonLabels"];

    [Theory]
    [MemberData(nameof(Kustomize.EnvironmentData), MemberType = typeof(Kustomize))]
    public void Every_environment_builds_on_the_base_with_current_syntax(string environment)
    {
        var file = $"{environment}/kustomization.yaml";
        var overlay = Yaml.Documents(Repository.Read(file)).Single();
        overlay.Text("apiVersion").ShouldBe("kustomize.config.k8s.io/v1beta1");
        overlay.Text("kind").ShouldBe("Kustomization");
        overlay.Items("resources").Select(r => ((YamlScalarNode)r).Value).ShouldBe(["../../base"], file);
        foreach (var field in Deprecated)
        {
            overlay.At(field).ShouldBeNull($"{file} uses the deprecated field {field}");
            Kustomization.At(field).ShouldBeNull($"{Manifests.Kustomization} uses the deprecated field {field}");
        }

        // Every other file of the overlay is a patch it applies: none lies around unused.
        var patches = overlay.Items("patches").Select(p => p.Text("path")).OfType<string>().ToList();
        foreach (var other in Directory.EnumerateFiles(Repository.PathOf(environment)).Select(Path.GetFileName).Where(f => f != "kustomization.yaml"))
        {
            patches.ShouldContain(other, $"{environment}/{other} is not a patch of {file}");
        }
    }
}
