using YamlDotNet.RepresentationModel;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>Reading YAML documents by path: a missing key gives null or an empty collection, never an exception.</summary>
public static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping)
            {
                return null;
            }

            node = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode k && k.Value == key).Value;
        }

        return node;
    }

    public static string? Text(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static int? Number(this YamlNode? node, params string[] path) =>
        int.TryParse(node.Text(path), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    public static IReadOnlyList<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    /// <summary>A mapping of scalars (labels, annotations, a selector, ConfigMap data) as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Map(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlMappingNode mapping
            ? mapping.Children
                .Where(c => c.Key is YamlScalarNode && c.Value is YamlScalarNode)
                .ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? "")
            : new Dictionary<string, string>();

    public static IReadOnlyList<string> Keys(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlMappingNode mapping ? mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).ToList() : [];

    /// <summary>True when every label of the selector is on the pod (an empty selector selects every pod).</summary>
    public static bool Selects(this IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);
}
