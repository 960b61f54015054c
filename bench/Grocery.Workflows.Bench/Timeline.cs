using Microsoft.Data.Sqlite;
using Npgsql;

namespace Grocery.Workflows.Bench;

/// <summary>
/// The engine's saga_timeline, read by the bench directly (not through the API, so that watching costs the engine
/// nothing): when an order's saga entered a state, by the engine's clock, which this machine shares.
/// </summary>
internal interface ITimeline
{
    /// <summary>When each of <paramref name="orders"/> first had its <paramref name="saga"/> enter <paramref name="state"/>; orders that have not are missing.</summary>
    Task<IReadOnlyDictionary<Guid, DateTimeOffset>> Entered(IReadOnlyCollection<Guid> orders, string saga, string state);
}

/// <summary>The production stack's timeline, in PostgreSQL.</summary>
internal sealed class PostgresTimeline(string connectionString) : ITimeline
{
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> Entered(IReadOnlyCollection<Guid> orders, string saga, string state)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT order_id, min(at) FROM saga_timeline WHERE saga_type = @saga AND to_state = @state AND order_id = ANY(@orders) GROUP BY order_id", connection);
        command.Parameters.AddWithValue("saga", saga);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("orders", orders.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var times = new Dictionary<Guid, DateTimeOffset>();
        while (await reader.ReadAsync())
        {
            times[reader.GetGuid(0)] = await reader.GetFieldValueAsync<DateTimeOffset>(1);
        }

        return times;
    }
}

/// <summary>
/// The embedded default's timeline, in the engine's SQLite file opened read-only (WAL: a reader never blocks the
/// engine's writer). The engine stores times as UTC ticks; ids are read with GetGuid, which takes text in either case
/// and blobs alike, and matched here rather than in SQL.
/// </summary>
internal sealed class SqliteTimeline(string databaseFile) : ITimeline
{
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> Entered(IReadOnlyCollection<Guid> orders, string saga, string state)
    {
        var wanted = orders.ToHashSet();
        await using var connection = new SqliteConnection($"Data Source={databaseFile};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT order_id, min(at) FROM saga_timeline WHERE saga_type = $saga AND to_state = $state GROUP BY order_id";
        command.Parameters.AddWithValue("$saga", saga);
        command.Parameters.AddWithValue("$state", state);
        await using var reader = await command.ExecuteReaderAsync();
        var times = new Dictionary<Guid, DateTimeOffset>();
        while (await reader.ReadAsync())
        {
            var order = reader.GetGuid(0);
            if (wanted.Contains(order))
            {
                times[order] = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero);
            }
        }

        return times;
    }
}

/// <summary>What an idle engine takes per order: POST to Confirmed and to Completed.</summary>
internal sealed record IdleFigures(Latencies Confirm, Latencies Complete);

/// <summary>
/// One order at a time: each is posted only once the one before it has entered Confirmed, so that no order waits
/// behind another in any queue; the figures are the engine's own hops. The bench watches the timeline every few
/// milliseconds; the latency is read from the timeline's time, so the watching interval does not enter it.
/// </summary>
internal static class OneAtATime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    public static async Task<IdleFigures> Run(Storefront storefront, ITimeline timeline, int count, int offset, Func<Task> waitForEnd)
    {
        var orders = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var order = await storefront.Place(offset + i);
            orders.Add(order);
            await Until(timeline, order, "Confirmed", TimeSpan.FromSeconds(120));
        }

        await waitForEnd();
        return new IdleFigures(
            Since(storefront, orders, await timeline.Entered(orders, "Order", "Confirmed")),
            Since(storefront, orders, await timeline.Entered(orders, "Order", "Completed")));
    }

    private static async Task Until(ITimeline timeline, Guid order, string state, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while ((await timeline.Entered([order], "Order", state)).Count == 0)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Order {order} did not enter {state} within {timeout}");
            }

            await Task.Delay(Poll);
        }
    }

    private static Latencies Since(Storefront storefront, List<Guid> orders, IReadOnlyDictionary<Guid, DateTimeOffset> reached) =>
        new([.. orders.Where(reached.ContainsKey).Select(o => (reached[o] - storefront.Sent[o]).TotalMilliseconds)]);
}
