using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// A count file larger than one batch must not keep the engine's other writers out: it is checked whole before any
/// write, and written in batches that other writers get in between. The test holds SQLite's write gate itself, the
/// way an order being placed does, and looks at what the import did meanwhile; no timing is involved.
/// </summary>
public sealed class StockCountUploadTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private const int Products = StockCountImport.SqliteBatchSize * 2 + StockCountImport.SqliteBatchSize / 2;

    /// <summary>Far more than a file of a few thousand lines takes on a busy machine; an import that waited for the gate would wait for ever.</summary>
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_file_whose_last_line_is_bad_is_refused_whole_while_another_writer_holds_the_gate()
    {
        using var client = await Client();
        var lines = Counts(GroceryApiFactory.OtherStore).Append($"{GroceryApiFactory.OtherStore},NOPE-1,1,{At(0)}").ToList();
        var gate = factory.Services.GetRequiredService<WriteGate>();

        HttpResponseMessage response;
        using (await gate.Enter(CancellationToken.None))
        {
            // Answered while this test holds the gate: the whole file was read and checked without it.
            response = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), Csv(lines)).WaitAsync(Answer);
        }

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var lastLine = lines.Count + 1;
        problem.GetProperty("line").GetInt32().ShouldBe(lastLine, "the header is line 1");
        problem.GetProperty("detail").GetString().ShouldBe($"Line {lastLine}: there is no product 'NOPE-1'.");
        (await factory.Query(db => db.StockCounts.CountAsync(c => c.StoreId == GroceryApiFactory.OtherStore))).ShouldBe(0);
    }

    [Fact]
    public async Task A_checked_file_is_written_in_batches_that_let_other_writers_in_between()
    {
        using var client = await Client();
        var lines = Counts(GroceryApiFactory.Store).ToList();
        var gate = factory.Services.GetRequiredService<WriteGate>();
        var before = await Written();

        var posting = client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), Csv(lines));
        var seen = new List<int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The gate is first come, first served: once the import waits for it, this test is queued right behind each
        // of its batches, and sees what each left.
        while (!posting.IsCompleted && clock.Elapsed < Answer)
        {
            using (await gate.Enter(CancellationToken.None))
            {
                seen.Add(await Written() - before);
            }
        }

        var response = await posting.WaitAsync(Answer);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("written").GetInt32().ShouldBe(Products);
        (await Written() - before).ShouldBe(Products);
        seen.ShouldContain(n => n > 0 && n < Products, $"another writer got the gate between two batches (seen: {string.Join(", ", seen.Distinct())})");
    }

    private Task<int> Written() =>
        factory.Query(db => db.StockCounts.CountAsync(c => c.StoreId == GroceryApiFactory.Store && c.Sku.StartsWith("UPL-")));

    /// <summary>One count of every upload-test product at a store, a few minutes ago.</summary>
    private static IEnumerable<string> Counts(string store) =>
        Enumerable.Range(1, Products).Select(i => string.Create(CultureInfo.InvariantCulture, $"{store},UPL-{i:D5},{i},{At(5)}"));

    private static string At(int minutesAgo) => DateTimeOffset.UtcNow.AddMinutes(-minutesAgo).ToString("O", CultureInfo.InvariantCulture);

    private static StringContent Csv(IEnumerable<string> lines) =>
        new($"store_id,sku,quantity,counted_at\n{string.Join('\n', lines)}\n", Encoding.UTF8, "text/csv");

    /// <summary>A client of the host, whose catalogue has enough products for a count file of several batches.</summary>
    private async Task<HttpClient> Client()
    {
        var client = await factory.Client();
        await factory.Query(async db =>
        {
            if (!await db.Products.AnyAsync(p => p.Sku == "UPL-00001"))
            {
                db.Products.AddRange(Enumerable.Range(1, Products).Select(i => new Product
                {
                    Sku = string.Create(CultureInfo.InvariantCulture, $"UPL-{i:D5}"), Name = $"Upload test item {i}", Category = "Pantry",
                    Unit = SaleUnit.Each, BasePriceUsCents = 100,
                }));
                await db.SaveChangesAsync();
            }

            return true;
        });
        return client;
    }
}
