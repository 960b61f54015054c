using System.Text.Json;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>The image: built in the SDK image, run in a small ASP.NET Core image as a non-root user, health-checked.</summary>
public sealed partial class DockerfileTests
{
    private sealed record Instruction(string Keyword, string Arguments);

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex Variable();

    /// <summary>The Dockerfile's instructions: comments dropped, continued lines joined.</summary>
    private static List<Instruction> Instructions()
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in Repository.Read("Dockerfile").Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            current += line.TrimEnd().TrimEnd('\\').Trim() + " ";
            if (!line.TrimEnd().EndsWith('\\'))
            {
                var text = current.Trim();
                current = "";
                if (text.Length > 0)
                {
                    var space = text.IndexOf(' ', StringComparison.Ordinal);
                    instructions.Add(space < 0
                        ? new Instruction(text.ToUpperInvariant(), "")
                        : new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
                }
            }
        }

        return instructions;
    }

    /// <summary>The instructions from the last FROM on.</summary>
    private static List<Instruction> FinalStage()
    {
        var all = Instructions();
        var from = all.Select((i, n) => (i, n)).Last(x => x.i.Keyword == "FROM").n;
        return all.Skip(from).ToList();
    }

    /// <summary>The image of each FROM, with the defaults of the global ARGs put in.</summary>
    private static List<string> BaseImages()
    {
        var all = Instructions();
        var defaults = all.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG" && i.Arguments.Contains('=', StringComparison.Ordinal))
            .Select(i => i.Arguments.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return all.Where(i => i.Keyword == "FROM")
            .Select(i => Variable().Replace(i.Arguments.Split(' ')[0], m => defaults.GetValueOrDefault(m.Groups["name"].Value, m.Value)))
            .ToList();
    }

    [Fact]
    public void The_image_is_built_in_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var images = BaseImages();
        images.Count.ShouldBeGreaterThanOrEqualTo(2, "a multi-stage build");
        images[0].ShouldStartWith("mcr.microsoft.com/dotnet/sdk:10.0");
        images[^1].ShouldStartWith("mcr.microsoft.com/dotnet/aspnet:10.0");

        var build = Instructions().Where(i => i.Keyword == "RUN").Select(i => i.Arguments).ToList();
        build.ShouldContain(r => r.Contains("dotnet publish src/Host/Grocery.Workflows.Host.csproj", StringComparison.Ordinal)
            && r.Contains("-c Release", StringComparison.Ordinal) && r.Contains("--no-restore", StringComparison.Ordinal)
            && r.Contains("-o /app", StringComparison.Ordinal));
        FinalStage().ShouldContain(i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=build /app", StringComparison.Ordinal));
    }

    [Fact]
    public void Packages_are_restored_from_the_project_files_before_the_sources_are_copied()
    {
        var all = Instructions();
        var restore = all.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var sources = all.FindIndex(i => i.Keyword == "COPY" && i.Arguments == "src/ src/");
        restore.ShouldBeGreaterThan(0, "no dotnet restore");
        sources.ShouldBeGreaterThan(restore, "the sources must be copied after the restore, or every edit restores again");

        var copiedBefore = all.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(i => i.Arguments.Split(' ')).ToList();
        copiedBefore.ShouldContain("Directory.Packages.props");
        copiedBefore.ShouldContain("Directory.Build.props");

        // A project added to src/ without its line here would fail the restore.
        var projects = Directory.EnumerateFiles(Repository.PathOf("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
            .ToList();
        projects.ShouldNotBeEmpty();
        foreach (var project in projects)
        {
            copiedBefore.ShouldContain(project, $"the Dockerfile does not copy {project} before the restore");
        }
    }

    [Fact]
    public void The_image_ends_as_a_non_root_user()
    {
        var users = FinalStage().Where(i => i.Keyword == "USER").ToList();
        users.ShouldNotBeEmpty("the runtime stage sets no USER");
        var user = users[^1].Arguments.Split(':')[0];
        user.ShouldNotBeOneOf("root", "0");
        // Kubernetes checks runAsNonRoot against a numeric id: $APP_UID is 1654 in the .NET images.
        (user == "$APP_UID" || user == "${APP_UID}" || (int.TryParse(user, System.Globalization.CultureInfo.InvariantCulture, out var uid) && uid > 0))
            .ShouldBeTrue($"USER {user} is not a numeric non-root id");
    }

    [Fact]
    public void The_image_listens_on_8080_and_checks_its_health_with_the_probe_mode()
    {
        var final = FinalStage();
        final.ShouldContain(i => i.Keyword == "EXPOSE" && i.Arguments.Split(' ').Contains("8080"));
        final.ShouldContain(i => i.Keyword == "ENV" && i.Arguments.Contains("Urls=http://+:8080", StringComparison.Ordinal));
        // Listening on every interface, the image must never run the simulator or the sandbox by default.
        final.ShouldContain(i => i.Keyword == "ENV" && i.Arguments.Contains("ASPNETCORE_ENVIRONMENT=Production", StringComparison.Ordinal));

        var check = final.SingleOrDefault(i => i.Keyword == "HEALTHCHECK");
        check.ShouldNotBeNull("no HEALTHCHECK in the runtime stage");
        var command = check.Arguments[(check.Arguments.IndexOf("CMD ", StringComparison.Ordinal) + 4)..];
        // Exec form: the chiseled image has no shell.
        var arguments = JsonSerializer.Deserialize<string[]>(command);
        arguments.ShouldBe(["dotnet", "/app/Grocery.Workflows.Host.dll", "--probe", "http://127.0.0.1:8080/health/live"]);

        var entrypoint = JsonSerializer.Deserialize<string[]>(final.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
        entrypoint.ShouldBe(["dotnet", "/app/Grocery.Workflows.Host.dll"]);
    }

    [Fact]
    public void The_image_carries_oci_labels()
    {
        var labels = string.Join(' ', FinalStage().Where(i => i.Keyword == "LABEL").Select(i => i.Arguments));
        foreach (var label in new[] { "org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.revision" })
        {
            labels.ShouldContain(label + "=");
        }
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_and_local_data()
    {
        var ignored = Repository.Read(".dockerignore").Split('\n').Select(l => l.Trim()).ToList();
        ignored.ShouldContain("**/bin/");
        ignored.ShouldContain("**/obj/");
        ignored.ShouldContain(".git/");
        ignored.ShouldNotContain("src/", "the build needs src/");
        ignored.ShouldNotContain("Directory.Packages.props");
    }
}
