using System.Diagnostics;

namespace Grocery.Workflows.Bench;

/// <summary>Latencies in milliseconds and what they say.</summary>
internal sealed class Latencies(IReadOnlyCollection<double> milliseconds)
{
    private readonly double[] _sorted = [.. milliseconds.Order()];

    public int Count => _sorted.Length;

    public IReadOnlyList<double> All => _sorted;

    public double P50 => Percentile(0.50);

    public double P95 => Percentile(0.95);

    public double P99 => Percentile(0.99);

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Percentile(double p) => _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)Math.Ceiling(p * _sorted.Length) - 1)];
}

/// <summary>Load generators: an open loop at a fixed rate (requests do not wait for each other), and a closed loop.</summary>
internal static class Load
{
    /// <summary>
    /// Starts <paramref name="operation"/> <paramref name="rate"/> times a second for <paramref name="duration"/>, on
    /// schedule whether or not earlier calls have answered, and returns each call's latency and how many failed.
    /// </summary>
    public static async Task<(Latencies Latencies, int Failures)> AtRate(double rate, TimeSpan duration, Func<int, Task> operation, Action? tick = null)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var calls = new List<Task<double>>(total);
        var failures = 0;
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            if (i % (int)Math.Max(1, rate / 4) == 0)
            {
                tick?.Invoke();
            }

            var index = i;
            calls.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(index);
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failures);
                    return double.NaN;
                }

                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }));
        }

        var results = await Task.WhenAll(calls);
        return (new Latencies([.. results.Where(r => !double.IsNaN(r))]), failures);
    }

    /// <summary>Runs <paramref name="count"/> calls with at most <paramref name="concurrency"/> at a time.</summary>
    public static async Task ClosedLoop(int count, int concurrency, Func<int, Task> operation)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await operation(i);
            }
        }));
    }
}
