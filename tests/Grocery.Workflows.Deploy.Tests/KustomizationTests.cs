using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>k8s/kustomization.yaml lists exactly the manifests of k8s/, all in namespace grocery.</summary>
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
}
