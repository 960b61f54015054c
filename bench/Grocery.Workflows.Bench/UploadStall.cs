using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Grocery.Workflows.Bench;

/// <summary>Order intake before and while a count file is imported: the largest POST /api/orders latency of each.</summary>
internal sealed record UploadStallFigures(long Lines, double ImportSeconds, double StallMs, double QuietMaxMs, int Probes);

/// <summary>
/// On the embedded default (SQLite, where every writer of the engine queues at one write gate): a count file of
/// 1,000,000 lines (the seed's 250,000 store and SKU pairs counted four times over, each round newer than the
/// last, so every line is written) is posted while a storefront places one order at a time, one every 250 ms.
/// The same probe runs for a few seconds before the upload, so the figure can be told from the engine's own queueing.
/// </summary>
internal static class UploadStall
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<UploadStallFigures> Run(Engine engine, Storefront storefront, int offset)
    {
        var file = Path.Combine(engine.WorkingDirectory, "counts.csv");
        var lines = await WriteCounts(Path.Combine(engine.WorkingDirectory, "data", "grocery.db"), file, 1_000_000);

        var quiet = await Probe(storefront, offset, until: Task.Delay(TimeSpan.FromSeconds(5)));

        var clock = Stopwatch.StartNew();
        var import = Import(engine.Client, file);
        var during = await Probe(storefront, offset + 1000, until: import);
        await import;
        return new UploadStallFigures(lines, clock.Elapsed.TotalSeconds, during.Max, quiet.Max, during.Count);
    }

    /// <summary>Orders one at a time, the next due <see cref="ProbeInterval"/> after the last was sent, until <paramref name="until"/> ends.</summary>
    private static async Task<Latencies> Probe(Storefront storefront, int offset, Task until)
    {
        var latencies = new List<double>();
        var i = 0;
        do
        {
            var started = Stopwatch.GetTimestamp();
            await storefront.Place(offset + i++);
            var took = Stopwatch.GetElapsedTime(started);
            latencies.Add(took.TotalMilliseconds);
            if (took < ProbeInterval)
            {
                await Task.WhenAny(until, Task.Delay(ProbeInterval - took));
            }
        }
        while (!until.IsCompleted);

        return new Latencies(latencies);
    }

    private static async Task Import(HttpClient client, string file)
    {
        await using var body = File.OpenRead(file);
        using var content = new StreamContent(body, 1 << 16);
        content.Headers.ContentType = new("text/csv");
        using var response = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"import: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<long> WriteCounts(string database, string file, long count)
    {
        var pairs = new List<(string Store, string Sku, long Milli)>();
        await using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT store_id, sku, on_hand_milli FROM stock_balances ORDER BY store_id, sku";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                pairs.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        long lines = 0;
        var rounds = (int)((count + pairs.Count - 1) / pairs.Count);
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteAsync("store_id,sku,quantity,counted_at\n");
        for (var round = 0; round < rounds; round++)
        {
            var at = DateTimeOffset.UtcNow.AddMinutes(-10 * (rounds - round)).ToString("O", CultureInfo.InvariantCulture);
            foreach (var (store, sku, milli) in pairs.Take((int)Math.Min(pairs.Count, count - lines)))
            {
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{store},{sku},{(milli + round * 1000) / 1000m},{at}\n"));
                lines++;
            }
        }

        return lines;
    }
}
