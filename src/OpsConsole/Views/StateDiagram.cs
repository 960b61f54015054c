using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Grocery.Workflows.Sagas;
using Microsoft.AspNetCore.Html;

namespace Grocery.Workflows.OpsConsole.Views;

/// <summary>
/// A saga's state machine drawn as an SVG, from its transitions (<see cref="SagaDiagram.Transitions(object)"/>): states in
/// rows by how many steps they lie from Initial, each row ordered under the states that lead to it; an arrow per pair of
/// states with its events. Arrows that go back up (retries, compensation) are dashed and run down the right side.
/// Events that leave the state as it is are in the table under the drawing, not on it. The layout depends on the
/// machine only, so it is made once per saga; the current state is marked when it is drawn.
/// </summary>
public static class StateDiagram
{
    private const int RowHeight = 74;
    private const int BoxHeight = 28;
    private const int Gap = 28;
    private const int Margin = 12;
    private const double CharWidth = 7.4;
    private const int LabelLength = 30;
    private const double LabelCharWidth = 5.6;
    private const int BackLanes = 130;

    private static readonly ConcurrentDictionary<string, Layout> Layouts = new(StringComparer.Ordinal);

    private sealed record Box(string State, int Row, double X, double Width, string? Incoming)
    {
        public double Center => X + (Width / 2);

        public double Top => Margin + (Row * RowHeight);

        public double Bottom => Top + BoxHeight;
    }

    private sealed record Arrow(string From, string To, IReadOnlyList<string> Events);

    private sealed record Layout(IReadOnlyDictionary<string, Box> Boxes, IReadOnlyList<Arrow> Arrows, double Width, double Height);

    /// <summary>The drawing of <paramref name="saga"/>'s machine with <paramref name="current"/> marked.</summary>
    public static IHtmlContent Draw(string saga, IReadOnlyList<SagaTransition> transitions, string? current, string label)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        var layout = Layouts.GetOrAdd(saga, _ => Arrange(transitions));
        return new HtmlString(Render(layout, $"arrow-{saga}", current, label));
    }

    private static Layout Arrange(IReadOnlyList<SagaTransition> transitions)
    {
        var states = transitions.SelectMany(t => new[] { t.From, t.To }).Distinct(StringComparer.Ordinal).ToList();
        var arrows = transitions.Where(t => t.From != t.To).GroupBy(t => (t.From, t.To))
            .Select(g => new Arrow(g.Key.From, g.Key.To, [.. g.Select(t => t.Event).Distinct(StringComparer.Ordinal)])).ToList();

        // Rows: steps from Initial (breadth first); a state no path reaches goes below the rest.
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        var start = states.Contains("Initial") ? "Initial" : states.FirstOrDefault();
        var queue = new Queue<string>();
        if (start is not null)
        {
            row[start] = 0;
            queue.Enqueue(start);
        }

        while (queue.TryDequeue(out var state))
        {
            foreach (var next in arrows.Where(a => a.From == state && !row.ContainsKey(a.To)).Select(a => a.To))
            {
                row[next] = row[state] + 1;
                queue.Enqueue(next);
            }
        }

        var below = row.Count == 0 ? 0 : row.Values.Max() + 1;
        foreach (var state in states.Where(s => !row.ContainsKey(s)))
        {
            row[state] = below;
        }

        // Final at the bottom, on a row of its own.
        if (row.ContainsKey("Final"))
        {
            row["Final"] = states.Where(s => s != "Final").Select(s => row[s]).DefaultIfEmpty(0).Max() + 1;
        }

        // Each row ordered by where the states that lead to it stand (one pass of the barycentre heuristic).
        var order = new Dictionary<string, double>(StringComparer.Ordinal);
        var rows = states.GroupBy(s => row[s]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        foreach (var members in rows)
        {
            var ranked = members.Select((s, i) => (State: s, Rank: Barycentre(s, i))).OrderBy(r => r.Rank).Select(r => r.State).ToList();
            for (var i = 0; i < ranked.Count; i++)
            {
                order[ranked[i]] = i;
            }

            members.Clear();
            members.AddRange(ranked);
        }

        double Barycentre(string state, int index)
        {
            var before = arrows.Where(a => a.To == state && order.ContainsKey(a.From) && row[a.From] < row[state]).Select(a => order[a.From]).ToList();
            return before.Count == 0 ? index : before.Average() + (index * 0.001);
        }

        // Each state's slot is wide enough for its box and for the label of the arrows into it, which stands above it.
        var labels = arrows.Where(a => row[a.To] > row[a.From]).GroupBy(a => a.To)
            .ToDictionary(g => g.Key, g => Label([.. g.SelectMany(a => a.Events).Distinct(StringComparer.Ordinal)]), StringComparer.Ordinal);
        double Slot(string state) => Math.Max(BoxWidth(state), labels.TryGetValue(state, out var text) ? text.Length * LabelCharWidth : 0);
        var widths = rows.Select(r => r.Sum(Slot) + (Gap * (r.Count - 1))).ToList();
        var width = widths.DefaultIfEmpty(0).Max() + (2 * Margin) + BackLanes;
        var boxes = new Dictionary<string, Box>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var x = Margin + ((width - BackLanes - (2 * Margin) - widths[r]) / 2);
            foreach (var state in rows[r])
            {
                boxes[state] = new Box(state, row[state], x + ((Slot(state) - BoxWidth(state)) / 2), BoxWidth(state), labels.GetValueOrDefault(state));
                x += Slot(state) + Gap;
            }
        }

        var height = (2 * Margin) + ((rows.Count - 1) * RowHeight) + BoxHeight;
        return new Layout(boxes, arrows, width, height);
    }

    private static double BoxWidth(string state) => (state.Length * CharWidth) + 20;

    /// <summary>The events of the arrows into a state, as short as the drawing needs: the first, and how many more.</summary>
    private static string Label(IReadOnlyList<string> events)
    {
        var text = events.Count == 1 ? events[0] : $"{events[0]} +{events.Count - 1}";
        return text.Length > LabelLength ? string.Concat(text.AsSpan(0, LabelLength - 1), "…") : text;
    }

    private static string Render(Layout layout, string marker, string? current, string label)
    {
        var svg = new StringBuilder();
        var html = HtmlEncoder.Default;
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"diagram\" role=\"img\" aria-label=\"{html.Encode(label)}\" viewBox=\"0 0 {N(layout.Width)} {N(layout.Height)}\" width=\"{N(layout.Width)}\" height=\"{N(layout.Height)}\">");
        svg.Append("<defs><marker id=\"").Append(marker).Append("\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>");
        var backLane = 0;
        foreach (var arrow in layout.Arrows)
        {
            var from = layout.Boxes[arrow.From];
            var to = layout.Boxes[arrow.To];
            var events = string.Join(", ", arrow.Events);
            svg.Append("<g class=\"edge").Append(to.Row > from.Row ? "" : " back").Append("\"><title>")
                .Append(html.Encode($"{arrow.From} → {arrow.To}: {events}")).Append("</title>");
            var fromMiddle = from.Top + (BoxHeight / 2);
            var toMiddle = to.Top + (BoxHeight / 2);
            if (to.Row > from.Row)
            {
                var middle = (from.Bottom + to.Top) / 2;
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{N(from.Center)},{N(from.Bottom)} C{N(from.Center)},{N(middle)} {N(to.Center)},{N(middle)} {N(to.Center)},{N(to.Top)}\" marker-end=\"url(#{marker})\"/>");
            }
            else if (to.Row == from.Row)
            {
                // Along a row: straight from the side of the one to the facing side of the other.
                var (start, end) = to.X > from.X ? (from.X + from.Width, to.X) : (from.X, to.X + to.Width);
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{N(start)},{N(fromMiddle)} L{N(end)},{N(toMiddle)}\" marker-end=\"url(#{marker})\"/>");
            }
            else
            {
                // Back up: out of the right of the one, up the right margin, into the right of the other.
                var lane = layout.Width - BackLanes + 10 + (backLane++ % 12 * 10);
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{N(from.X + from.Width)},{N(fromMiddle)} C{N(lane)},{N(fromMiddle)} {N(lane)},{N(toMiddle)} {N(to.X + to.Width)},{N(toMiddle)}\" marker-end=\"url(#{marker})\"/>");
            }

            svg.Append("</g>");
        }

        foreach (var box in layout.Boxes.Values)
        {
            var isCurrent = box.State == current;
            svg.Append("<g class=\"state").Append(isCurrent ? " current" : "").Append("\" data-state=\"").Append(html.Encode(box.State)).Append('"')
                .Append(isCurrent ? " aria-current=\"true\"" : "").Append('>');
            if (box.Incoming is not null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"event\" x=\"{N(box.Center)}\" y=\"{N(box.Top - 8)}\">{html.Encode(box.Incoming)}</text>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(box.X)}\" y=\"{N(box.Top)}\" width=\"{N(box.Width)}\" height=\"{BoxHeight}\" rx=\"14\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(box.Center)}\" y=\"{N(box.Top + 18)}\">{html.Encode(box.State)}</text></g>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
