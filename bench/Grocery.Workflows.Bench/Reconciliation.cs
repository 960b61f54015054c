using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Grocery.Workflows.Bench;

/// <summary>What the nightly reconciliation took for a count of every SKU of every store.</summary>
internal sealed record ReconciliationFigures(long Rows, double ImportSeconds, double ReconcileSeconds, long Compared, long Adjusted, decimal? AccuracyPercent);

/// <summary>
/// A stock-take of 20 stores x 50,000 SKUs: the seed's five stores plus fifteen bench stores with a balance for every
/// SKU, one count per store and SKU (every fiftieth off by one unit), imported through <c>POST /api/stock/counts</c>
/// as one CSV file, then reconciled by a run of the job started through the jobs API.
/// </summary>
internal static class Reconciliation
{
    public static async Task<ReconciliationFigures> Run(HttpClient client, string connectionString, int stores)
    {
        var countedAt = DateTimeOffset.UtcNow.AddMinutes(-30);
        // The seed's balances changed after the count (they were written at start), the bench stores' before it: both
        // the ledger lookup and the quick path are timed.
        await Sql.Execute(connectionString, $"""
            INSERT INTO stores (store_id, name, city, time_zone, currency, price_factor, price_rounding)
            SELECT 'bch-' || lpad(n::text, 2, '0'), 'Bench store ' || n, 'Ho Chi Minh City', 'Asia/Ho_Chi_Minh', 'VND', 254, 100
            FROM generate_series(6, {stores}) AS n;
            INSERT INTO stock_balances (store_id, sku, on_hand_milli, reserved_milli, updated_at)
            SELECT s.store_id, p.sku, 40000 + (hashtext(s.store_id || p.sku) & 65535), 0, now() - interval '2 hours'
            FROM stores s CROSS JOIN products p WHERE s.store_id LIKE 'bch-%';
            ANALYZE stock_balances;
            """);

        var file = new MemoryStream();
        long rows = 0;
        await using (var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            await writer.WriteAsync("store_id,sku,quantity,counted_at\n");
            var at = countedAt.ToString("O", CultureInfo.InvariantCulture);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT store_id, sku, on_hand_milli FROM stock_balances ORDER BY store_id, sku", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var milli = reader.GetInt64(2) + (rows % 50 == 0 ? 1000 : 0);
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(0)},{reader.GetString(1)},{milli / 1000m},{at}\n"));
                rows++;
            }
        }

        file.Position = 0;
        var clock = Stopwatch.StartNew();
        using var content = new StreamContent(file);
        content.Headers.ContentType = new("text/csv");
        using var import = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), content);
        var importSeconds = clock.Elapsed.TotalSeconds;
        if (!import.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"import: {(int)import.StatusCode} {await import.Content.ReadAsStringAsync()}");
        }

        var run = await Jobs.Run(client, "stock-reconciliation");
        var seconds = Jobs.Seconds(run);
        var summary = run.GetProperty("summary");
        return new ReconciliationFigures(rows, importSeconds, seconds, summary.GetProperty("compared").GetInt64(), summary.GetProperty("adjusted").GetInt64(),
            summary.GetProperty("accuracyPercent").ValueKind == JsonValueKind.Null ? null : summary.GetProperty("accuracyPercent").GetDecimal());
    }
}
