using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Api.Tests.Operations;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// Count files in, reconciliation's input: CSV and JSON, and every bad file refused whole with a problem answer. Reads
/// the cluster gauges of its own host, so it runs alone (see <see cref="MetricsAlone"/>).
/// </summary>
[Collection(MetricsAlone.Name)]
public sealed class StockCountApiTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private const string Header = "store_id,sku,quantity,counted_at\n";

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Counts_in_CSV_or_JSON_are_imported_and_reconciled_by_the_job()
    {
        using var client = await factory.Client();
        var at = DateTimeOffset.UtcNow.AddMinutes(-10).ToString("O");
        var csv = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative),
            Csv($"{Header}{GroceryApiFactory.Store},DAI-00001,500,{at}\r\n\"{GroceryApiFactory.Store}\",PRO-00001,497.125,{at}\n\n"));
        csv.StatusCode.ShouldBe(HttpStatusCode.OK, await csv.Content.ReadAsStringAsync());
        (await csv.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("written").GetInt32().ShouldBe(2);

        var json = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative),
            Json($$"""[{"storeId": "{{GroceryApiFactory.Store}}", "sku": "DAI-00002", "quantity": 499, "countedAt": "{{at}}"}]"""));
        json.StatusCode.ShouldBe(HttpStatusCode.OK, await json.Content.ReadAsStringAsync());

        var run = await client.PostAsync(new Uri("/api/jobs/stock-reconciliation/runs", UriKind.Relative), null);
        var runId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        var finished = await JobApiTests.Finished(client, "stock-reconciliation", runId);

        var store = finished.GetProperty("summary").GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("storeId").GetString() == GroceryApiFactory.Store);
        // 500 of each were received; other tests' orders may have moved some since, so only the shape is fixed here.
        store.GetProperty("compared").GetInt32().ShouldBe(3);
        (store.GetProperty("matched").GetInt32() + store.GetProperty("adjusted").GetInt32()).ShouldBe(3);
        (await factory.Query(db => db.StockCounts.CountAsync(c => c.ReconciledRunId == runId))).ShouldBe(3);

        // The accuracy gauge reports what the run found for the store (read from the run's summary at scrape time).
        var scrape = Scrape.Parse(await factory.ScrapeMetrics());
        scrape.Value("inventory_accuracy_ratio", ("store", GroceryApiFactory.Store))
            .ShouldBe((double)store.GetProperty("accuracyPercent").GetDecimal() / 100, tolerance: 1e-9);
    }

    [Fact]
    public async Task A_bad_count_file_is_refused_whole_and_imports_nothing()
    {
        using var client = await factory.Client();
        var now = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O");
        var good = $"{GroceryApiFactory.OtherStore},DAI-00001,1,{now}\n";
        var cases = new (HttpContent Body, string Why, string Says)[]
        {
            (Csv($"{Header}{good}{GroceryApiFactory.OtherStore},NOPE-1,1,{now}\n"), "unknown SKU on line 3", "Line 3"),
            (Csv($"{Header}{good}nowhere,DAI-00001,1,{now}\n"), "unknown store", "no store"),
            (Csv($"store,sku,qty,when\n{good}"), "wrong header", "header"),
            (Csv(""), "empty file", "header"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,1\n"), "missing field", "fields"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,1;5,{now}\n"), "not a number", "not a quantity"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,-1,{now}\n"), "negative", "between 0"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,1.0005,{now}\n"), "too precise", "three decimals"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,1,2026-11-26T10:00:00\n"), "no offset", "offset"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,1,{DateTimeOffset.UtcNow.AddDays(1):O}\n"), "future", "future"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,1,2025-11-26T10:00:00Z\n"), "a year old", "days old"),
            (Csv($"{Header}{GroceryApiFactory.OtherStore},DAI-00001,{new string('1', 5000)},{now}\n"), "a line of 5,000 characters", "longer than"),
            (Json("""{"counts": []}"""), "not an array", "not an array"),
            (Json("""[{"storeId": "tst-02", "sku": "DAI-00001"}]"""), "missing quantity", "required"),
            (Json("[{\"storeId\": \"tst-02\", \"sku\": \"DAI-00001\", \"quantity\": 1, \"countedAt\": \"" + now + "\"}, {"), "truncated", "JSON"),
            (Json("[null]"), "null entry", "null"),
            (Json("[{\"storeId\": \"tst-02\", \"sku\": \"DAI-00001\", \"quantity\": \"12\", \"countedAt\": \"" + now + "\"}]"), "a number sent as a string", "quantity"),
            (Json("[{\"storeId\": \"tst-02\", \"sku\": \"DAI-00001\", \"qty\": 1, \"quantity\": 1, \"countedAt\": \"" + now + "\"}]"), "an unknown field", "qty"),
            (Json("[{\"storeId\": \"tst-02\", \"sku\": \"DAI-00001\", \"quantity\": 1, \"quantity\": 900, \"countedAt\": \"" + now + "\"}]"), "the same key twice", "quantity"),
        };
        foreach (var (body, why, says) in cases)
        {
            var response = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), body);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, why);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", why);
            (await response.Content.ReadAsStringAsync()).ShouldContain(says, Case.Insensitive, why);
        }

        var xml = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), new StringContent("<counts/>", Encoding.UTF8, "application/xml"));
        xml.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        xml.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await factory.Query(db => db.StockCounts.CountAsync(c => c.StoreId == GroceryApiFactory.OtherStore))).ShouldBe(0);
    }

    [Fact]
    public async Task Closures_are_kept_per_store_and_date()
    {
        using var client = await factory.Client();
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(20).ToString("yyyy-MM-dd");
        var path = $"/api/stores/{GroceryApiFactory.OtherStore}/closures";

        (await client.PutAsJsonAsync($"{path}/{day}", new { reason = "Lunar New Year" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PutAsJsonAsync($"{path}/{day}", new { reason = "Tet" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var closures = await client.GetFromJsonAsync<JsonElement[]>(new Uri(path, UriKind.Relative));
        closures!.Select(c => (c.GetProperty("date").GetString(), c.GetProperty("reason").GetString())).ShouldBe([(day, "Tet")]);

        foreach (var (request, status) in new (Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status)[]
                 {
                     (() => client.PutAsJsonAsync($"{path}/26-11-2026", new { reason = "x" }), HttpStatusCode.BadRequest),
                     (() => client.PutAsJsonAsync($"{path}/{day}", new { reason = "" }), HttpStatusCode.BadRequest),
                     (() => client.PutAsJsonAsync($"{path}/{day}", new { reason = new string('x', 201) }), HttpStatusCode.BadRequest),
                     (() => client.PutAsJsonAsync($"/api/stores/nowhere/closures/{day}", new { reason = "x" }), HttpStatusCode.NotFound),
                     (() => client.DeleteAsync(new Uri($"{path}/2000-01-01", UriKind.Relative)), HttpStatusCode.NotFound),
                     (() => client.GetAsync(new Uri("/api/stores/nowhere/closures", UriKind.Relative)), HttpStatusCode.NotFound),
                 })
        {
            var response = await request();
            response.StatusCode.ShouldBe(status);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        (await client.DeleteAsync(new Uri($"{path}/{day}", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetFromJsonAsync<JsonElement[]>(new Uri(path, UriKind.Relative)))!.ShouldBeEmpty();
    }
}
