using System.Net;
using System.Xml.Linq;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// NuGet audit: the build settings that make a moderate or higher advisory fail the restore, and scripts/audit.sh, which
/// says whether the package source served advisory data at all. The script runs against a fake dotnet whose
/// <c>list package --vulnerable</c> output names a stand-in package source on 127.0.0.1.
/// </summary>
public sealed class SupplyChainTests : IDisposable
{
    private const string Script = "scripts/audit.sh";

    private const string FakeDotnet = """
        #!/usr/bin/env bash
        cat "$FAKE_DIR/list-output"
        exit "$(cat "$FAKE_DIR/list-exit")"
        """;

    private const string WithAdvisories = """{"version":"3.0.0","resources":[{"@id":"http://x/v/","@type":"PackageBaseAddress/3.0.0"},{"@id":"http://x/vulnerability/index.json","@type":"VulnerabilityInfo/6.7.0"}]}""";
    private const string WithoutAdvisories = """{"version":"3.0.0","resources":[{"@id":"http://x/v/","@type":"PackageBaseAddress/3.0.0"}]}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("grocery-audit-").FullName;
    private readonly LocalHttpServer _server;
    private readonly string _source;
    private string _index = WithoutAdvisories;

    public SupplyChainTests()
    {
        // Every request gets the service index of _index.
        _server = new LocalHttpServer(_ => new LocalHttpResponse(HttpStatusCode.OK, "application/json", _index));
        _source = $"{_server.Url}/v3/index.json";
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<ShellResult> Audit(string listOutput, int listExit = 0)
    {
        var dotnet = Path.Combine(_directory, "dotnet");
        await File.WriteAllTextAsync(dotnet, FakeDotnet.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "list-output"), listOutput.Replace("\r", "", StringComparison.Ordinal) + "\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "list-exit"), listExit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await Shell.RunAsync(Script, [], new Dictionary<string, string> { ["DOTNET"] = dotnet, ["FAKE_DIR"] = _directory });
    }

    private string Clean => $"""
          Determining projects to restore...
          All projects are up-to-date for restore.

        The following sources were used:
           {_source}

        The given project `Grocery.Workflows.Host` has no vulnerable packages given the current sources.
        """;

    private string Vulnerable(string severity) => $"""
        The following sources were used:
           {_source}

        Project `Grocery.Workflows.Host` has the following vulnerable packages
           [net10.0]:
           Transitive Package      Resolved   Severity   Advisory URL
           > Some.Package          1.2.3      {severity}   https://github.com/advisories/GHSA-xxxx-xxxx-xxxx
        """;

    [Fact]
    public async Task A_source_without_advisory_data_is_said_to_have_checked_nothing()
    {
        _index = WithoutAdvisories;

        var result = await Audit(Clean);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain($"audit: advisory data unavailable from {_source}");
        result.Output.ShouldContain("checked nothing here");
        result.Output.ShouldNotContain("no known vulnerable package");
    }

    [Fact]
    public async Task A_source_with_advisory_data_and_no_finding_is_clean()
    {
        _index = WithAdvisories;

        var result = await Audit(Clean);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain($"audit: no known vulnerable package, direct or transitive; advisory data from {_source}");
    }

    [Theory]
    [InlineData("Moderate")]
    [InlineData("High")]
    [InlineData("Critical")]
    public async Task A_moderate_or_worse_advisory_fails(string severity)
    {
        _index = WithAdvisories;

        var result = await Audit(Vulnerable(severity));

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Output.ShouldContain("Some.Package");
        result.Errors.ShouldContain("audit: FAILED: a package above has a moderate, high or critical advisory");
    }

    [Fact]
    public async Task A_low_advisory_is_listed_and_passes()
    {
        _index = WithAdvisories;

        var result = await Audit(Vulnerable("Low"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Some.Package");
        result.Output.ShouldContain("audit: low-severity advisories only");
    }

    [Fact]
    public async Task A_restore_that_fails_on_an_advisory_fails()
    {
        var result = await Audit("error NU1903: Warning As Error: Package 'Some.Package' 1.2.3 has a known high severity vulnerability", listExit: 1);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Output.ShouldContain("NU1903");
        result.Errors.ShouldContain("audit: FAILED: the restore did not pass");
    }

    [Fact]
    public void The_build_audits_every_package_and_fails_on_moderate_or_worse_but_not_on_low()
    {
        var properties = XDocument.Parse(Repository.Read("Directory.Build.props")).Descendants("PropertyGroup").Elements()
            .ToLookup(e => e.Name.LocalName, e => e.Value);
        properties["NuGetAudit"].ShouldBe(["true"]);
        properties["NuGetAuditMode"].ShouldBe(["all"]);
        properties["NuGetAuditLevel"].ShouldBe(["moderate"]);
        properties["TreatWarningsAsErrors"].ShouldBe(["true"]);
        var asErrors = properties["WarningsAsErrors"].SelectMany(v => v.Split(';', StringSplitOptions.TrimEntries)).ToList();
        asErrors.ShouldContain("NU1902");
        asErrors.ShouldContain("NU1903");
        asErrors.ShouldContain("NU1904");
        asErrors.ShouldNotContain("NU1901");
        // Nothing silences an advisory or a missing audit source.
        foreach (var silencer in new[] { "NoWarn", "WarningsNotAsErrors" })
        {
            properties[silencer].ShouldAllBe(v => !v.Contains("NU190", StringComparison.Ordinal), silencer);
        }

        Repository.Read("Directory.Build.props").ShouldNotContain("NuGetAuditSuppress");
    }

    [Fact]
    public void The_test_command_runs_the_audit()
    {
        Repository.Read("scripts/test.sh").ShouldContain("bash scripts/audit.sh");
    }
}
