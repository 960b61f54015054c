using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Grocery.Workflows.Architecture.Tests;

/// <summary>
/// Who may reference whom. The sagas are pure workflow (no database, no web), the consumers talk to the world through
/// ports, messaging knows no business table, and the API reaches the database only through persistence's commands.
/// The README's project picture is generated from the project files and checked here.
/// </summary>
public sealed partial class DependencyTests
{
    /// <summary>The projects each project may reference; Host, the executable, may reference them all.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Contracts"] = [],
        ["Sagas"] = ["Contracts"],
        ["Consumers"] = ["Contracts"],
        ["Messaging"] = ["Sagas", "Contracts"],
        ["Persistence"] = ["Messaging", "Consumers", "Sagas", "Contracts"],
        ["Api"] = ["Persistence", "Messaging", "Consumers", "Sagas", "Contracts"],
        ["OpsConsole"] = ["Api", "Persistence", "Sagas"],
        ["Host"] = ["OpsConsole", "Api", "Persistence", "Messaging", "Consumers", "Sagas", "Contracts"],
    };

    [Fact]
    public void Every_project_references_only_what_it_may()
    {
        var projects = Projects();
        projects.Keys.Order(StringComparer.Ordinal).ShouldBe(Allowed.Keys.Where(projects.ContainsKey).Order(StringComparer.Ordinal),
            "a new project under src/ needs its place in DependencyTests.Allowed");
        foreach (var (name, project) in projects)
        {
            project.References.Except(Allowed[name]).ShouldBeEmpty($"{name} references what it may not");
        }
    }

    [Theory]
    [InlineData("Grocery.Workflows.Contracts")]
    [InlineData("Grocery.Workflows.Sagas")]
    [InlineData("Grocery.Workflows.Consumers")]
    public void Workflow_and_activities_never_see_EF_Core_or_ASP_NET_Core(string assembly)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        references.ShouldNotContain(r => r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            || r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Npgsql", StringComparison.Ordinal)
            || r.StartsWith("Grocery.Workflows.Persistence", StringComparison.Ordinal) || r.StartsWith("Grocery.Workflows.Messaging", StringComparison.Ordinal));
    }

    [Fact]
    public void The_README_picture_of_the_projects_is_the_project_files()
    {
        var path = Repository.PathOf("README.md");
        var readme = File.ReadAllText(path);
        Block().IsMatch(readme).ShouldBeTrue("README.md has no generated block for the projects");
        var expected = Block().Replace(readme, m => $"{m.Groups["begin"].Value}\n```mermaid\n{Picture(Projects())}```\n{m.Groups["end"].Value}");
        if (Environment.GetEnvironmentVariable("GROCERY_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        readme.ShouldBe(expected, "README.md's project picture is out of date; run: GROCERY_UPDATE_DOCS=1 dotnet test --filter README");
    }

    private static string Picture(IReadOnlyDictionary<string, Project> projects)
    {
        var text = new StringBuilder("flowchart LR\n");
        foreach (var (name, project) in projects.OrderBy(p => Array.IndexOf([.. Allowed.Keys], p.Key)).Reverse())
        {
            foreach (var reference in project.References.OrderBy(r => Array.IndexOf([.. Allowed.Keys], r)).Reverse())
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"    {name} --> {reference}\n");
            }
        }

        return text.ToString();
    }

    private sealed record Project(string Name, IReadOnlyList<string> References);

    private static Dictionary<string, Project> Projects() =>
        Directory.EnumerateFiles(Repository.PathOf("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(file => new Project(
                Path.GetFileName(Path.GetDirectoryName(file)!),
                [.. XDocument.Load(file).Descendants("ProjectReference")
                    .Select(r => Path.GetFileName(Path.GetDirectoryName(r.Attribute("Include")!.Value.Replace('\\', '/'))!))]))
            .ToDictionary(p => p.Name, StringComparer.Ordinal);

    [GeneratedRegex("(?<begin><!-- BEGIN GENERATED: projects -->)(?s:.*?)(?<end><!-- END GENERATED: projects -->)")]
    private static partial Regex Block();
}
