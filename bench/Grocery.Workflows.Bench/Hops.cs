using System.Globalization;
using Npgsql;

namespace Grocery.Workflows.Bench;

/// <summary>
/// Where an idle order's time goes (<c>--idle-only</c>): the orders posted one at a time, each saga transition in the
/// order the timeline recorded it, with the median time since the POST and since the transition before it.
/// </summary>
internal static class Hops
{
    public static async Task Print(string connectionString, Storefront storefront)
    {
        var orders = storefront.Sent.Keys.ToArray();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT order_id, saga_type, from_state, to_state, event, at FROM saga_timeline WHERE order_id = ANY(@orders) ORDER BY order_id, id", connection);
        command.Parameters.AddWithValue("orders", orders);
        var steps = new Dictionary<Guid, List<(string Step, DateTimeOffset At)>>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var order = reader.GetGuid(0);
                if (!steps.TryGetValue(order, out var list))
                {
                    steps[order] = list = [];
                }

                list.Add(($"{reader.GetString(1)}: {reader.GetString(2)} -> {reader.GetString(3)} ({reader.GetString(4)})", await reader.GetFieldValueAsync<DateTimeOffset>(5)));
            }
        }

        // The steps of the first order set the rows; an order whose steps differ (another path) is left out.
        var shape = steps.Values.FirstOrDefault()?.Select(s => s.Step).ToList() ?? [];
        var same = steps.Where(o => o.Value.Select(s => s.Step).SequenceEqual(shape)).ToList();
        await Console.Error.WriteLineAsync($"hops: {same.Count} of {steps.Count} orders took the same path; median ms since POST / since the step before");
        for (var i = 0; i < shape.Count; i++)
        {
            var sincePost = Median(same.Select(o => (o.Value[i].At - storefront.Sent[o.Key]).TotalMilliseconds));
            var sinceBefore = Median(same.Select(o => (o.Value[i].At - (i == 0 ? storefront.Sent[o.Key] : o.Value[i - 1].At)).TotalMilliseconds));
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {sincePost,8:F1} {sinceBefore,8:F1}  {shape[i]}"));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
