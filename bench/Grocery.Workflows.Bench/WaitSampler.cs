using System.Globalization;
using Npgsql;

namespace Grocery.Workflows.Bench;

/// <summary>
/// Samples what the engine's PostgreSQL sessions are doing every 20 ms (<c>--intake-only</c>): active and waiting
/// sessions by wait event, and idle sessions inside a transaction, so that a lock wait shows up by name and a session
/// waiting for the engine's next statement shows as idle in transaction (a queue inside the engine is not seen here).
/// </summary>
internal sealed class WaitSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Dictionary<string, int> _counts = [];
    private int _samples;

    public WaitSampler(string connectionString) => _sampling = Sample(connectionString);

    private async Task Sample(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT state || ' / ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU'), count(*) FROM pg_stat_activity " +
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' GROUP BY 1", connection);
        while (!_stop.IsCancellationRequested)
        {
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    _counts[reader.GetString(0)] = _counts.GetValueOrDefault(reader.GetString(0)) + (int)reader.GetInt64(1);
                }
            }

            _samples++;
            await Task.Delay(20);
        }
    }

    public async Task Print()
    {
        await _stop.CancelAsync();
        await _sampling;
        await Console.Error.WriteLineAsync($"sessions of the engine's database, mean over {_samples} samples:");
        foreach (var (what, count) in _counts.OrderByDescending(c => c.Value))
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {count / (double)Math.Max(1, _samples),6:F1}  {what}"));
        }
    }

    public void Dispose() => _stop.Dispose();
}
