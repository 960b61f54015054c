using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>
/// Logs (Promtail, Loki), traces (OpenTelemetry Collector) and the Grafana side of both under deploy/. None of these
/// services runs here: the tests read the files and check that they agree with each other and with the engine.
/// </summary>
public sealed partial class ObservabilityConfigTests
{
    private const string Promtail = "deploy/promtail/promtail.yml";
    private const string Loki = "deploy/loki/loki.yml";
    private const string Collector = "deploy/otel-collector/collector.yml";
    private const string Datasources = "deploy/grafana/datasources.yml";
    private const string LogsDashboard = "deploy/grafana/grocery-order-logs.json";
    private const string PipelineDashboard = "deploy/grafana/grocery-order-pipeline.json";

    /// <summary>Bounded label names: a label per order, trace, message or pod would make a stream of each.</summary>
    private static readonly string[] AllowedLabels = ["namespace", "app", "component", "level", "critical"];

    [Fact]
    public void Promtail_sets_only_low_cardinality_labels()
    {
        var labels = PromtailLabels();

        labels.ShouldNotBeEmpty();
        labels.Except(AllowedLabels).ShouldBeEmpty();
        labels.ShouldContain("namespace");
        labels.ShouldContain("level");
        labels.ShouldContain("critical");
        labels.ShouldNotContain(l => l.Contains("order", StringComparison.OrdinalIgnoreCase)
            || l.Contains("trace", StringComparison.OrdinalIgnoreCase) || l.Contains("correlation", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Promtail_keeps_the_order_id_and_trace_id_as_structured_metadata()
    {
        var metadata = Stages(PromtailConfig()).Where(s => s.Key == "structured_metadata").SelectMany(s => s.Value.Keys()).ToList();

        metadata.ShouldContain("order_id");
        metadata.ShouldContain("trace_id");
    }

    [Fact]
    public void Promtail_reads_the_fields_the_engine_writes()
    {
        var expressions = Stages(PromtailConfig()).Where(s => s.Key == "json").SelectMany(s => s.Value.Map("expressions")).ToDictionary();

        expressions["level"].ShouldBe("LogLevel");
        expressions.Values.ShouldContain(v => v.Contains("OrderId", StringComparison.Ordinal));
        expressions.Values.ShouldContain(v => v.Contains("TraceId", StringComparison.Ordinal));
        // The names Promtail looks for are the ones the engine logs: the order scope and the console formatter's setting.
        Repository.Read("src/Messaging/Telemetry/GroceryTelemetry.cs").ShouldContain("new(\"OrderId\", orderId)");
        KubernetesManifests().ShouldContain("Logging__Console__FormatterName: json");
    }

    [Fact]
    public void Promtail_marks_errors_failed_messages_payments_and_audit_as_critical()
    {
        var critical = Stages(PromtailConfig())
            .Where(s => s.Key == "match" && s.Value.Items("stages").Any(inner => inner.Text("static_labels", "critical") == "true"))
            .Select(s => s.Value.Text("selector")!)
            .ToList();

        critical.ShouldContain(s => s.Contains("level=~\"error|critical\"", StringComparison.Ordinal));
        critical.ShouldContain(s => s.Contains("[RST]-FAULT", StringComparison.Ordinal));
        critical.ShouldContain(s => s.Contains("Payments", StringComparison.Ordinal) && s.Contains("Audit", StringComparison.Ordinal));
    }

    [Fact]
    public void Loki_keeps_logs_30_days_and_critical_streams_90_days()
    {
        var loki = Yaml.Documents(Repository.Read(Loki)).Single();

        loki.Text("compactor", "retention_enabled").ShouldBe("true");
        loki.Text("limits_config", "retention_period").ShouldBe("720h");
        var streams = loki.Items("limits_config", "retention_stream");
        var critical = streams.ShouldHaveSingleItem();
        critical.Text("period").ShouldBe("2160h");
        loki.Text("limits_config", "allow_structured_metadata").ShouldBe("true");
        loki.Items("schema_config", "configs").ShouldAllBe(c => c.Text("schema") == "v13" && c.Text("store") == "tsdb");
    }

    [Fact]
    public void The_critical_retention_selector_matches_what_promtail_marks()
    {
        var selector = Yaml.Documents(Repository.Read(Loki)).Single().Items("limits_config", "retention_stream").Single().Text("selector")!;
        var matchers = SelectorMatchers().Matches(selector).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);

        // Promtail sets namespace from the pod's namespace (only "grocery" is scraped) and critical="true".
        matchers.ShouldBe(new Dictionary<string, string> { ["namespace"] = "grocery", ["critical"] = "true" }, ignoreOrder: true);
        var config = PromtailConfig();
        config.Items("scrape_configs").SelectMany(s => s.Items("kubernetes_sd_configs")).SelectMany(k => k.Items("namespaces", "names"))
            .Select(n => ((YamlScalarNode)n).Value).ShouldBe(["grocery"]);
        Stages(config).Where(s => s.Key == "match").SelectMany(s => s.Value.Items("stages"))
            .Select(inner => inner.Text("static_labels", "critical")).ShouldContain("true");
    }

    [Fact]
    public void The_collector_keeps_errors_slow_traces_and_a_share_of_the_rest()
    {
        var collector = Yaml.Documents(Repository.Read(Collector)).Single();
        var policies = collector.Items("processors", "tail_sampling", "policies");

        var errors = policies.Single(p => p.Text("type") == "status_code");
        errors.Items("status_code", "status_codes").Select(c => ((YamlScalarNode)c).Value).ShouldBe(["ERROR"]);
        policies.Single(p => p.Text("type") == "latency").Number("latency", "threshold_ms").ShouldBe(1000);
        var share = double.Parse(policies.Single(p => p.Text("type") == "probabilistic").Text("probabilistic", "sampling_percentage")!,
            System.Globalization.CultureInfo.InvariantCulture);
        share.ShouldBeInRange(0.1, 20);
    }

    [Fact]
    public void The_collector_pipeline_runs_from_otlp_through_tail_sampling_to_jaeger()
    {
        var collector = Yaml.Documents(Repository.Read(Collector)).Single();
        var traces = collector.At("service", "pipelines", "traces");

        Names(traces.Items("receivers")).ShouldBe(["otlp"]);
        var processors = Names(traces.Items("processors"));
        processors[0].ShouldBe("memory_limiter");
        processors.ShouldContain("tail_sampling");
        processors.IndexOf("batch").ShouldBeGreaterThan(processors.IndexOf("tail_sampling"));
        var exporter = Names(traces.Items("exporters")).ShouldHaveSingleItem();
        exporter.ShouldStartWith("otlp");
        collector.Text("exporters", exporter, "endpoint").ShouldNotBeNull().ShouldContain("jaeger");

        collector.Text("receivers", "otlp", "protocols", "grpc", "endpoint").ShouldNotBeNull().ShouldEndWith(":4317");
        collector.Text("receivers", "otlp", "protocols", "http", "endpoint").ShouldNotBeNull().ShouldEndWith(":4318");
        // The engine's exporter points at this collector's gRPC port.
        KubernetesManifests().ShouldContain("Otlp__Endpoint: http://otel-collector.observability:4317");
    }

    [Fact]
    public void The_logs_dashboard_shows_the_logs_of_the_order_id_variable_from_loki()
    {
        using var dashboard = JsonDocument.Parse(Repository.Read(LogsDashboard));
        var root = dashboard.RootElement;

        root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ShouldContain(v => v.GetProperty("name").GetString() == "order_id");
        var logs = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() == "logs").ToList();
        logs.ShouldNotBeEmpty();
        logs.ShouldContain(p => p.GetProperty("datasource").GetProperty("type").GetString() == "loki"
            && p.GetProperty("targets").EnumerateArray().Any(t => t.GetProperty("expr").GetString()!.Contains("$order_id", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_order_pipeline_dashboard_links_to_the_logs_of_its_order_id()
    {
        using var pipeline = JsonDocument.Parse(Repository.Read(PipelineDashboard));
        using var logs = JsonDocument.Parse(Repository.Read(LogsDashboard));
        var logsUid = logs.RootElement.GetProperty("uid").GetString()!;

        pipeline.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ShouldContain(v => v.GetProperty("name").GetString() == "order_id");
        pipeline.RootElement.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("url").GetString()!)
            .ShouldContain(url => url.Contains($"/d/{logsUid}/", StringComparison.Ordinal) && url.Contains("var-order_id=${order_id}", StringComparison.Ordinal));
    }

    [Fact]
    public void Loki_links_a_trace_id_in_a_line_to_jaeger()
    {
        var datasources = Yaml.Documents(Repository.Read(Datasources)).Single().Items("datasources");
        var jaeger = datasources.Single(d => d.Text("type") == "jaeger");
        var loki = datasources.Single(d => d.Text("type") == "loki");

        var traceId = loki.Items("jsonData", "derivedFields").Single(f => f.Text("name") == "TraceId");
        traceId.Text("datasourceUid").ShouldBe(jaeger.Text("uid"));
        var pattern = new Regex(traceId.Text("matcherRegex")!, RegexOptions.None, TimeSpan.FromSeconds(1));
        // A line as the JSON console formatter writes it, with the activity scope.
        const string line = """{"EventId":0,"LogLevel":"Error","Category":"X","Message":"m","Scopes":[{"Message":"SpanId:1, TraceId:2","SpanId":"b7ad6b7169203331","TraceId":"0af7651916cd43dd8448eb211c80319c"}]}""";
        pattern.Match(line).Groups[1].Value.ShouldBe("0af7651916cd43dd8448eb211c80319c");
        datasources.ShouldContain(d => d.Text("type") == "prometheus");
    }

    /// <summary>Every manifest under k8s/ as one text, wherever the layout puts the ConfigMap.</summary>
    private static string KubernetesManifests() =>
        string.Join('\n', Repository.YamlFiles().Where(f => f.StartsWith("k8s/", StringComparison.Ordinal)).Select(Repository.Read));

    private static YamlMappingNode PromtailConfig() => Yaml.Documents(Repository.Read(Promtail)).Single();

    /// <summary>Every pipeline stage, those nested in match stages included, as (stage kind, its body).</summary>
    private static List<KeyValuePair<string, YamlNode>> Stages(YamlNode config)
    {
        var stages = new List<KeyValuePair<string, YamlNode>>();
        void Add(IEnumerable<YamlNode> items)
        {
            foreach (var stage in items.OfType<YamlMappingNode>())
            {
                foreach (var (key, value) in stage.Children)
                {
                    var kind = ((YamlScalarNode)key).Value!;
                    stages.Add(new(kind, value));
                    if (kind == "match")
                    {
                        Add(value.Items("stages"));
                    }
                }
            }
        }

        foreach (var scrape in config.Items("scrape_configs"))
        {
            Add(scrape.Items("pipeline_stages"));
        }

        return stages;
    }

    /// <summary>The labels a line reaches Loki with: relabelled targets, labels and static_labels stages, less labeldrop.</summary>
    private static List<string> PromtailLabels()
    {
        var config = PromtailConfig();
        var stages = Stages(config);
        var dropped = stages.Where(s => s.Key == "labeldrop").SelectMany(s => Names(s.Value is YamlSequenceNode seq ? seq.Children : [])).ToHashSet();
        var relabelled = config.Items("scrape_configs").SelectMany(s => s.Items("relabel_configs"))
            .Where(r => r.Text("action") is null or "replace")
            .Select(r => r.Text("target_label"))
            .OfType<string>()
            .Where(l => !l.StartsWith("__", StringComparison.Ordinal));
        var staged = stages.Where(s => s.Key is "labels" or "static_labels").SelectMany(s => s.Value.Keys());
        return relabelled.Concat(staged).Where(l => !dropped.Contains(l)).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> Names(IEnumerable<YamlNode> nodes) => nodes.OfType<YamlScalarNode>().Select(n => n.Value!).ToList();

    [GeneratedRegex("""(?<name>[a-z_]+)\s*=\s*"(?<value>[^"]*)"\s*""")]
    private static partial Regex SelectorMatchers();
}
