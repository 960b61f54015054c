using System.Text.RegularExpressions;
using Grocery.Workflows.OpsConsole.Text;

namespace Grocery.Workflows.Api.Tests.Console;

public sealed partial class ConsoleTextTests
{
    /// <summary>The console's source, found from the test binaries by walking up to the solution file.</summary>
    public static string Source(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Grocery.Workflows.sln")))
            {
                return Path.Combine(directory.FullName, relative);
            }
        }

        throw new InvalidOperationException($"No Grocery.Workflows.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void Every_text_the_pages_show_has_its_Vietnamese()
    {
        var root = Source("src/OpsConsole");
        var texts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.cshtml", SearchOption.AllDirectories))
        {
            var page = File.ReadAllText(file);
            texts.UnionWith(Looked().Matches(page).Select(m => m.Groups["text"].Value));
        }

        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)))
        {
            // Texts chosen in code and shown through Text[...]: refusals, outcomes, problems and service levels.
            texts.UnionWith(Keyed().Matches(File.ReadAllText(file)).Select(m => m.Groups["text"].Value));
        }

        texts.Count.ShouldBeGreaterThan(100);
        texts.Where(t => !Vietnamese.Words.ContainsKey(t)).ShouldBeEmpty("texts without a Vietnamese translation");
        Vietnamese.Words.Where(w => w.Key.Count(c => c == '{') != w.Value.Count(c => c == '{')).ShouldBeEmpty("placeholders lost in translation");
    }

    [GeneratedRegex("""Text(?:\[|\.Format\()"(?<text>(?:[^"\\]|\\.)+)"|=> "(?<text>[^"]*\{0\}[^"]*)",""")]
    private static partial Regex Looked();

    [GeneratedRegex("""(?:Refusal|Problem) = "(?<text>[^"]+)"|\(Outcome, (?:OutcomeDetail, )?Refused\) = [^"\n]*"(?<text>[^"]+)"|\? \("(?<text>[^"]+)", null, false\)|: \("(?<text>[^"]+)", refused|new(?: ServiceLevel)?\("(?<text>[^"]+)", |\("(?<text>Dry run:[^"]+)"|, "(?<text>[A-Z][^"]* [^"]*\.)"\);""")]
    private static partial Regex Keyed();
}
