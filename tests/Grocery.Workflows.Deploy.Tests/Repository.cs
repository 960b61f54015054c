namespace Grocery.Workflows.Deploy.Tests;

/// <summary>Files of the repository under test, found from the test binaries by walking up to the solution file.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Grocery.Workflows.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Grocery.Workflows.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootPath.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative)
    {
        var path = PathOf(relative);
        File.Exists(path).ShouldBeTrue($"{relative} is missing.");
        return File.ReadAllText(path);
    }

    /// <summary>Every YAML file of the repository, build output and test results left out; paths relative, with '/'.</summary>
    public static IReadOnlyList<string> YamlFiles()
    {
        string[] skipped = ["/bin/", "/obj/", "/.git/", "/node_modules/", "/TestResults/", "/artifacts/"];
        return Directory.EnumerateFiles(Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => "/" + Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !Array.Exists(skipped, s => f.Contains(s, StringComparison.Ordinal)))
            .Select(f => f[1..])
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
