namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// The test command's coverage gate (scripts/coverage.sh): it merges the Cobertura reports of the test projects, as
/// coverlet.collector writes them, and fails below the minimum. Fed reports whose coverage is known.
/// </summary>
public sealed class CoverageGateTests : IDisposable
{
    private readonly string _results = Path.Combine(Path.GetTempPath(), "grocery-tests", $"coverage-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_results, recursive: true);

    /// <summary>A report of one class whose first <paramref name="covered"/> of <paramref name="lines"/> lines were hit.</summary>
    private void Report(string project, string file, int lines, int covered)
    {
        var directory = Path.Combine(_results, Guid.NewGuid().ToString());
        Directory.CreateDirectory(directory);
        var rows = string.Concat(Enumerable.Range(1, lines).Select(n => $"""<line number="{n}" hits="{(n <= covered ? 1 : 0)}" branch="False" />"""));
        File.WriteAllText(Path.Combine(directory, "coverage.cobertura.xml"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <coverage line-rate="{(double)covered / lines}" branch-rate="1" version="1.9" timestamp="1764201600" lines-covered="{covered}" lines-valid="{lines}" branches-covered="0" branches-valid="0">
              <sources><source>/src/</source></sources>
              <packages>
                <package name="Grocery.Workflows.{project}" line-rate="{(double)covered / lines}" branch-rate="1" complexity="1">
                  <classes>
                    <class name="Grocery.Workflows.{project}.Thing" filename="{file}" line-rate="{(double)covered / lines}" branch-rate="1" complexity="1">
                      <methods />
                      <lines>{rows}</lines>
                    </class>
                  </classes>
                </package>
              </packages>
            </coverage>
            """);
    }

    private Task<ShellResult> Gate(params string[] minimum) => Shell.RunAsync("scripts/coverage.sh", [_results, .. minimum], new Dictionary<string, string>());

    [Fact]
    public async Task Coverage_below_the_minimum_fails_the_test_command()
    {
        Report("Api", "Api/Thing.cs", lines: 100, covered: 79);

        var result = await Gate();

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Output.ShouldContain("line coverage 79.0 % (79 of 100 lines, 1 reports); minimum 80 %");
        result.Errors.ShouldContain("below the minimum of 80 %");
    }

    [Fact]
    public async Task Coverage_at_the_minimum_passes_and_the_reports_of_several_projects_are_merged_line_by_line()
    {
        // Two test projects cover different lines of the same file: together 80 of 100.
        Report("Persistence", "Persistence/Thing.cs", lines: 100, covered: 50);
        Report("Persistence", "Persistence/Thing.cs", lines: 100, covered: 80);
        Report("Sagas", "Sagas/Thing.cs", lines: 50, covered: 40);

        var result = await Gate("80");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("line coverage 80.0 % (120 of 150 lines, 3 reports)");
        (await File.ReadAllTextAsync(Path.Combine(_results, "coverage", "summary.txt"))).ShouldContain("Grocery.Workflows.Sagas");
    }

    [Fact]
    public async Task No_report_or_a_bad_minimum_fails()
    {
        Directory.CreateDirectory(_results);
        (await Gate()).ExitCode.ShouldBe(1);
        (await Gate("eighty")).ExitCode.ShouldBe(2);
    }
}
