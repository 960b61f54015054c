using System.Globalization;
using System.Text.Json;

namespace Grocery.Workflows.Bench;

/// <summary>The figures of a run: a table for people, then one JSON line for machines.</summary>
internal sealed class Report(string mode)
{
    private readonly List<(string Key, double Value, string Goal, bool? Met, string Note, bool Json)> _rows = [];

    public void Add(string key, double value, string goal, bool? met, string note, bool json = true) => _rows.Add((key, value, goal, met, note, json));

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"{"figure",-30} {"value",12} {"goal",-12} {"met",-4} note");
        foreach (var (key, value, goal, met, note, _) in _rows)
        {
            var shown = value.ToString(value >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);
            var verdict = met switch { null => "", true => "yes", false => "NO" };
            Console.WriteLine($"{key,-30} {shown,12} {goal,-12} {verdict,-4} {note}");
        }

        var json = new Dictionary<string, object?> { ["mode"] = mode };
        foreach (var (key, value, _, _, _, _) in _rows.Where(r => r.Json))
        {
            // A figure that could not be measured (every call failed) is null, not a number.
            json[key] = double.IsFinite(value) ? Math.Round(value, 2) : null;
        }

        Console.WriteLine(JsonSerializer.Serialize(json));
    }
}

/// <summary>Samples the engine's working set four times a second while it lives.</summary>
internal sealed class Sampler : IDisposable
{
    private readonly Timer _timer;

    public Sampler(Engine engine) => _timer = new Timer(_ => engine.SampleWorkingSet(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));

    public void Dispose() => _timer.Dispose();
}
