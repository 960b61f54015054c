using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grocery.Workflows.Host.Telemetry;
using Grocery.Workflows.Messaging.Telemetry;
using Grocery.Workflows.Persistence.Telemetry;
using Prometheus;
using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>
/// The alert rules and the dashboard ask only for metrics the engine publishes (or the rules record): a metric renamed
/// in the code and not in deploy/ would leave an alert silent for ever.
/// </summary>
public sealed partial class MetricNamesTests
{
    private static readonly string Root = FindRoot();

    private static readonly string[] HistogramSuffixes = ["_bucket", "_count", "_sum"];
    private static readonly HashSet<string> PromQlWords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"];

    /// <summary>Every metric the engine creates: the collectors of its metric classes, and prometheus-net's own.</summary>
    private static HashSet<string> Published()
    {
        var names = new[] { typeof(WorkflowMetrics), typeof(MessagingMetrics), typeof(OutboxGauges), typeof(ClusterGauges) }
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(f => f.GetValue(null)).OfType<Collector>().Select(c => c.Name).ToHashSet();
        names.UnionWith(["http_request_duration_seconds", "up"]);
        return names;
    }

    private static IEnumerable<string> RuleFiles() => Directory.EnumerateFiles(Path.Combine(Root, "deploy", "prometheus", "rules"), "*.yml");

    /// <summary>Every rule of every rule file: its file, its record name (or none for an alert) and its expression.</summary>
    private static List<(string File, string? Record, string Expr)> Rules()
    {
        var rules = new List<(string, string?, string)>();
        foreach (var file in RuleFiles())
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(File.ReadAllText(file)));
            var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
            foreach (var rule in groups.Cast<YamlMappingNode>().SelectMany(g => (YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            {
                var record = rule.Children.TryGetValue("record", out var name) ? ((YamlScalarNode)name).Value : null;
                rules.Add((Path.GetFileName(file), record, ((YamlScalarNode)rule["expr"]).Value!));
            }
        }

        return rules;
    }

    private static HashSet<string> Recorded() => Rules().Where(r => r.Record is not null).Select(r => r.Record!).ToHashSet();

    /// <summary>The metric names of a PromQL expression: what is left once strings, label matchers, groupings, ranges, functions and keywords are taken out.</summary>
    private static IEnumerable<string> MetricsIn(string expression)
    {
        var text = StringRegex().Replace(expression, " ");
        text = MatcherRegex().Replace(text, " ");
        text = GroupingRegex().Replace(text, " ");
        text = RangeRegex().Replace(text, " ");
        text = VariableRegex().Replace(text, " ");
        text = OffsetRegex().Replace(text, " ");
        return IdentifierRegex().Matches(text)
            .Where(m => !m.Groups["call"].Success && !PromQlWords.Contains(m.Groups["name"].Value) && !char.IsDigit(m.Groups["name"].Value[0]))
            .Select(m => m.Groups["name"].Value);
    }

    private static string BaseName(string metric) =>
        Array.Find(HistogramSuffixes, s => metric.EndsWith(s, StringComparison.Ordinal)) is { } suffix ? metric[..^suffix.Length] : metric;

    private static bool Known(string metric, HashSet<string> published, HashSet<string> recorded) =>
        recorded.Contains(metric) || published.Contains(BaseName(metric)) || metric.StartsWith("process_", StringComparison.Ordinal);

    [Fact]
    public void Every_metric_the_rules_ask_for_is_published_or_recorded()
    {
        var (published, recorded) = (Published(), Recorded());
        published.Count.ShouldBeGreaterThan(20);
        recorded.Count.ShouldBeGreaterThan(20);

        var expressions = Rules();
        expressions.Count.ShouldBeGreaterThan(50);
        var unknown = expressions.SelectMany(e => MetricsIn(e.Expr).Where(m => !Known(m, published, recorded)).Select(m => $"{e.File}: {m}")).Distinct().ToList();
        unknown.ShouldBeEmpty();
    }

    [Fact]
    public void Every_metric_the_dashboard_shows_is_published_or_recorded()
    {
        var (published, recorded) = (Published(), Recorded());
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy", "grafana", "grocery-order-pipeline.json")));
        var panels = Panels(dashboard.RootElement.GetProperty("panels")).ToList();
        panels.Select(p => p.GetProperty("id").GetInt32()).ShouldBeUnique();
        var expressions = panels.Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        expressions.Count.ShouldBeGreaterThan(30);

        expressions.SelectMany(e => MetricsIn(e).Where(m => !Known(m, published, recorded))).Distinct().ShouldBeEmpty();
    }

    [Fact]
    public void The_name_reader_finds_the_metrics_of_an_expression_and_nothing_else()
    {
        MetricsIn("""sum by (saga, state) (rate(saga_transitions_total{job="x", to=~"Done|Gone"}[5m])) / on (saga) group_left max(grocery:saga_instances:max{state!="a b"}) > 0.5""")
            .ShouldBe(["saga_transitions_total", "grocery:saga_instances:max"]);
        MetricsIn("histogram_quantile(0.99, sum by (le) (rate(deadline_lag_seconds_bucket[$__rate_interval])))").ShouldBe(["deadline_lag_seconds_bucket"]);
        MetricsIn("job_runs_total unless job_runs_total offset 1h").ShouldBe(["job_runs_total", "job_runs_total"]);
        Known("orders_forgotten_total", Published(), Recorded()).ShouldBeFalse();
    }

    private static IEnumerable<JsonElement> Panels(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var inner))
            {
                foreach (var nested in Panels(inner))
                {
                    yield return nested;
                }
            }
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Grocery.Workflows.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No Grocery.Workflows.sln above the test binaries");
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringRegex();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex MatcherRegex();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingRegex();

    [GeneratedRegex(@"\boffset\s+-?\w+")]
    private static partial Regex OffsetRegex();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeRegex();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex VariableRegex();

    [GeneratedRegex(@"(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex IdentifierRegex();
}
