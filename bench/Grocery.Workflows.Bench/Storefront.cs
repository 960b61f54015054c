using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grocery.Workflows.Bench;

/// <summary>Posts orders the way the storefront does, and remembers when each was sent.</summary>
internal sealed class Storefront
{
    private readonly HttpClient _client;
    private readonly string _store;
    private readonly IReadOnlyList<Guid> _slots;
    private readonly IReadOnlyList<string> _skus;

    private Storefront(HttpClient client, string store, IReadOnlyList<Guid> slots, IReadOnlyList<string> skus)
    {
        _client = client;
        _store = store;
        _slots = slots;
        _skus = skus;
    }

    /// <summary>When each order was posted (UTC, this machine's clock, which the engine's timeline shares).</summary>
    public ConcurrentDictionary<Guid, DateTimeOffset> Sent { get; } = new();

    public string Store => _store;

    /// <summary>Slots in the next days with room, and products with plenty of stock, at one store.</summary>
    public static async Task<Storefront> Open(HttpClient client, string store = "sgp-01")
    {
        var slots = await BookableSlots(client, store);
        var skus = await WellStockedSkus(client, store);
        if (slots.Count == 0 || skus.Count < 10)
        {
            throw new InvalidOperationException($"The catalogue has {slots.Count} bookable slots and {skus.Count} well-stocked products at {store}");
        }

        return new Storefront(client, store, slots, [.. skus.Distinct()]);
    }

    private static async Task<List<Guid>> BookableSlots(HttpClient client, string store)
    {
        var slots = new List<Guid>();
        for (var day = 1; day <= 13; day++)
        {
            var date = DateTime.UtcNow.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var found = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/slots?storeId={store}&date={date}", UriKind.Relative));
            slots.AddRange(found.EnumerateArray().Where(s => s.GetProperty("available").GetInt32() > 0).Select(s => s.GetProperty("slotId").GetGuid()));
        }

        return slots;
    }

    private static async Task<List<string>> WellStockedSkus(HttpClient client, string store)
    {
        var skus = new List<string>();
        foreach (var search in new[] { "milk", "rice", "water", "egg", "bread", "tea", "soap", "juice" })
        {
            var products = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/stores/{store}/products?search={search}&limit=200", UriKind.Relative));
            skus.AddRange(products.GetProperty("items").EnumerateArray()
                .Where(p => p.GetProperty("unit").GetString() == "Each" && p.GetProperty("available").GetDecimal() >= 100)
                .Select(p => p.GetProperty("sku").GetString()!));
        }

        return skus;
    }

    /// <summary>Posts the i-th order (a slot and two products taken round the catalogue); returns its id.</summary>
    public Task<Guid> Place(int i) => Place(i, _slots[i % _slots.Count]);

    /// <summary>
    /// Posts the i-th order for the given slot. With <paramref name="refusals"/>, a 422 (the slot is already full) is
    /// an answer, not a failure: its latency is added there and the result is <see cref="Guid.Empty"/>.
    /// </summary>
    public async Task<Guid> Place(int i, Guid slot, ConcurrentBag<double>? refusals = null)
    {
        var (sku, other) = (_skus[i % _skus.Count], _skus[(int)(((long)i * 7 + 3) % _skus.Count)]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new
            {
                customerId = $"bench-{i % 1000}",
                storeId = _store,
                slotId = slot,
                lines = sku == other ? new[] { new { sku, quantity = 1 } } : [new { sku, quantity = 1 }, new { sku = other, quantity = 1 }],
                payment = new { provider = "sandbox", token = "tok_success" },
                delivery = new { address = "15 Nguyen Hue, District 1", latitude = 10.7743, longitude = 106.7038, phone = "+84901234567" },
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var sent = DateTimeOffset.UtcNow;
        using var response = await _client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity && refusals is not null)
        {
            // The API already knows the slot is full: the hold is refused at the door.
            refusals.Add((DateTimeOffset.UtcNow - sent).TotalMilliseconds);
            return Guid.Empty;
        }

        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/orders answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        Sent[id] = sent;
        return id;
    }
}
