using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Tests;

public sealed class OrderApiTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private static JsonObject ValidBody(Guid? slotId = null) => new()
    {
        ["customerId"] = "cust-42",
        ["storeId"] = GroceryApiFactory.Store,
        ["slotId"] = (slotId ?? GroceryApiFactory.OpenSlot).ToString(),
        ["lines"] = new JsonArray(
            new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 2 },
            new JsonObject { ["sku"] = "PRO-00001", ["quantity"] = 1.25 }),
        ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success" },
        ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
        ["substitutionPreference"] = "accept",
    };

    private static async Task<HttpResponseMessage> Post(HttpClient client, string body, string? key = "auto", string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key == "auto" ? Guid.NewGuid().ToString() : key);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> WaitForState(HttpClient client, Guid orderId, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement order = default;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                order = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (states.Contains(order.GetProperty("state").GetString()))
                {
                    return order;
                }
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"Order {orderId} did not reach {string.Join("/", states)} in 30 s; last: {order}");
    }

    [Fact]
    public async Task A_posted_order_completes_with_a_timeline_spanning_all_five_sagas()
    {
        using var client = await factory.Client();

        var response = await Post(client, ValidBody().ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        response.Headers.GetValues("X-Grocery-Simulated").ShouldBe(["true"]);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var orderId = accepted.GetProperty("orderId").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/orders/{orderId}");

        var order = await WaitForState(client, orderId, "Completed");
        var sagas = order.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("saga").GetString()).Distinct().Order().ToList();
        sagas.ShouldBe(["DeliveryHandoff", "Order", "Picking", "SlotReservation", "SubstitutionApproval"]);
        var totals = order.GetProperty("totals");
        totals.GetProperty("captured").GetInt64().ShouldBe(totals.GetProperty("picked").GetInt64());
        totals.GetProperty("captured").GetInt64().ShouldBeGreaterThan(0);
        order.GetProperty("pickedLines").EnumerateArray().ShouldAllBe(l => l.GetProperty("replacesSku").GetString() != null);
    }

    [Fact]
    public async Task The_same_key_and_body_answer_the_same_order_and_another_body_is_refused()
    {
        using var client = await factory.Client();
        var key = Guid.NewGuid().ToString();

        var first = await (await Post(client, ValidBody().ToJsonString(), key)).Content.ReadFromJsonAsync<JsonElement>();
        var again = await Post(client, ValidBody().ToJsonString(), key);
        var other = ValidBody();
        other["substitutionPreference"] = "refund";
        var different = await Post(client, other.ToJsonString(), key);

        again.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid().ShouldBe(first.GetProperty("orderId").GetGuid());
        different.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await factory.Query(db => db.OrderRequests.CountAsync(r => r.IdempotencyKey == key))).ShouldBe(1);
    }

    public static TheoryData<string, Func<JsonObject, string>, HttpStatusCode, string> BadBodies => new()
    {
        { "malformed JSON", _ => "{\"customerId\": ", HttpStatusCode.BadRequest, "not valid JSON" },
        { "not an object", _ => "[1, 2, 3]", HttpStatusCode.BadRequest, "JSON object" },
        { "missing customer", b => Without(b, "customerId"), HttpStatusCode.BadRequest, "customerId" },
        { "missing lines", b => Without(b, "lines"), HttpStatusCode.BadRequest, "lines is required" },
        { "empty lines", b => With(b, "lines", new JsonArray()), HttpStatusCode.BadRequest, "1 to 100 lines" },
        { "thousands of lines", b => With(b, "lines", new JsonArray([.. Enumerable.Range(0, 2000).Select(i => (JsonNode)new JsonObject { ["sku"] = $"S{i}", ["quantity"] = 1 })])), HttpStatusCode.BadRequest, "1 to 100 lines" },
        { "unknown store", b => With(b, "storeId", "nowhere"), HttpStatusCode.UnprocessableEntity, "no store 'nowhere'" },
        { "unknown slot", b => With(b, "slotId", Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity, "has no slot" },
        { "slot not an id", b => With(b, "slotId", "tomorrow-9am"), HttpStatusCode.BadRequest, "GUID" },
        { "slot of another store", b => With(b, "slotId", GroceryApiFactory.OtherStoreSlot.ToString()), HttpStatusCode.UnprocessableEntity, "has no slot" },
        { "full slot", b => With(b, "slotId", GroceryApiFactory.FullSlot.ToString()), HttpStatusCode.UnprocessableEntity, "full" },
        { "slot past its cut-off", b => With(b, "slotId", GroceryApiFactory.ClosedSlot.ToString()), HttpStatusCode.UnprocessableEntity, "closed" },
        { "unknown SKU", b => Line(b, "NOPE-1", 1), HttpStatusCode.UnprocessableEntity, "no product 'NOPE-1'" },
        { "zero quantity", b => Line(b, "DAI-00001", 0), HttpStatusCode.BadRequest, "greater than zero" },
        { "negative quantity", b => Line(b, "DAI-00001", -3), HttpStatusCode.BadRequest, "greater than zero" },
        { "fractional pieces", b => Line(b, "DAI-00001", 1.5), HttpStatusCode.UnprocessableEntity, "whole number" },
        { "absurd quantity", b => Line(b, "DAI-00001", 1e12), HttpStatusCode.BadRequest, "too large" },
        { "quantity as text", b => With(b, "lines", new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = "two" })), HttpStatusCode.BadRequest, "must be a number" },
        { "duplicate SKU", b => With(b, "lines", new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }, new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 })), HttpStatusCode.BadRequest, "appears twice" },
        { "unknown payment provider", b => With(b, "payment", new JsonObject { ["provider"] = "paypal", ["token"] = "x" }), HttpStatusCode.UnprocessableEntity, "paypal" },
        { "missing payment", b => Without(b, "payment"), HttpStatusCode.BadRequest, "payment is required" },
        { "unknown preference", b => With(b, "substitutionPreference", "whatever"), HttpStatusCode.BadRequest, "accept" },
        { "numeric preference", b => With(b, "substitutionPreference", "1"), HttpStatusCode.BadRequest, "accept" },
        { "control characters", b => With(b, "customerId", "bob\u0000\u001b[31m"), HttpStatusCode.BadRequest, "plain text" },
        { "bidi override", b => With(b, "customerId", "bob\u202Egnp.exe"), HttpStatusCode.BadRequest, "plain text" },
        { "zero-width space", b => With(b, "storeId", GroceryApiFactory.Store + "\u200B"), HttpStatusCode.BadRequest, "plain text" },
        { "lone surrogate", b => b.ToJsonString().Replace("\"cust-42\"", "\"cust\\ud800\"", StringComparison.Ordinal), HttpStatusCode.BadRequest, "customerId is not text" },
        { "lone surrogate in a line", b => b.ToJsonString().Replace("\"DAI-00001\"", "\"\\udc00\"", StringComparison.Ordinal), HttpStatusCode.BadRequest, "lines[0].sku is not text" },
        { "the same key twice", b => b.ToJsonString().TrimEnd('}') + ",\"payment\": {\"provider\": \"sandbox\", \"token\": \"tok_decline\"}}", HttpStatusCode.BadRequest, "payment" },
        { "preference as flags", b => With(b, "substitutionPreference", "Accept, Refund"), HttpStatusCode.BadRequest, "accept" },
        { "null body", _ => "null", HttpStatusCode.BadRequest, "null" },
        { "unknown field in payment", b => With(b, "payment", new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success", ["cvv"] = "123" }), HttpStatusCode.BadRequest, "payment.cvv" },
        { "unknown field in a line", b => With(b, "lines", new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1, ["price"] = 1 })), HttpStatusCode.BadRequest, "lines[0].price" },
        { "overlong customer", b => With(b, "customerId", new string('x', 500)), HttpStatusCode.BadRequest, "1 to 64" },
        { "misspelt field", b => With(b, "substitutionPrefrence", "refund"), HttpStatusCode.BadRequest, "Unknown field 'substitutionPrefrence'" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_order_is_a_problem_and_creates_nothing(string why, Func<JsonObject, string> body, HttpStatusCode status, string detail)
    {
        using var client = await factory.Client();
        var before = await factory.Query(db => db.OrderRequests.CountAsync());

        var response = await Post(client, body(ValidBody()));

        response.StatusCode.ShouldBe(status, why);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", why);
        (await response.Content.ReadAsStringAsync()).ShouldContain(detail, Case.Insensitive, why);
        (await factory.Query(db => db.OrderRequests.CountAsync())).ShouldBe(before, why);
    }

    [Fact]
    public async Task Invalid_UTF8_in_a_string_is_a_400_naming_the_field_and_creates_nothing()
    {
        using var client = await factory.Client();
        var before = await factory.Query(db => db.OrderRequests.CountAsync());
        var body = Encoding.UTF8.GetBytes(ValidBody().ToJsonString().Replace("cust-42", "cust-@@", StringComparison.Ordinal));
        var at = Array.IndexOf(body, (byte)'@');
        body[at] = 0xC3;
        body[at + 1] = 0x28;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await factory.Query(db => db.OrderRequests.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task Another_customer_with_the_same_key_gets_an_order_of_their_own_and_never_sees_the_first()
    {
        using var client = await factory.Client();
        var key = Guid.NewGuid().ToString();
        var first = await (await Post(client, ValidBody().ToJsonString(), key)).Content.ReadFromJsonAsync<JsonElement>();
        var other = ValidBody();
        other["customerId"] = "someone-else";

        var second = await Post(client, other.ToJsonString(), key);
        var changed = ValidBody();
        changed["customerId"] = "someone-else";
        changed["substitutionPreference"] = "refund";
        var secondChanged = await Post(client, changed.ToJsonString(), key);

        second.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        secondId.ShouldNotBe(first.GetProperty("orderId").GetGuid());
        secondChanged.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var refusal = await secondChanged.Content.ReadAsStringAsync();
        refusal.ShouldContain(secondId.ToString());
        refusal.ShouldNotContain(first.GetProperty("orderId").GetGuid().ToString());
        (await factory.Query(db => db.OrderRequests.CountAsync(r => r.IdempotencyKey == key))).ShouldBe(2);
    }

    [Fact]
    public async Task Cancelling_an_order_that_has_ended_is_409_with_the_reason()
    {
        using var client = await factory.Client();
        var completed = (await (await Post(client, ValidBody().ToJsonString())).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        var declined = ValidBody();
        declined["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_decline" };
        var rejected = (await (await Post(client, declined.ToJsonString())).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        await WaitForState(client, completed, "Completed");
        await WaitForState(client, rejected, "Rejected");

        foreach (var (orderId, state) in new[] { (completed, "Completed"), (rejected, "Rejected") })
        {
            var cancel = await client.PostAsJsonAsync(new Uri($"/api/orders/{orderId}/cancel", UriKind.Relative), new { reason = "changed my mind" });

            cancel.StatusCode.ShouldBe(HttpStatusCode.Conflict, state);
            cancel.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await cancel.Content.ReadAsStringAsync()).ShouldContain($"is {state}");
        }
    }

    [Fact]
    public async Task Missing_key_wrong_media_type_and_huge_bodies_are_refused()
    {
        using var client = await factory.Client();

        (await Post(client, ValidBody().ToJsonString(), key: null)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(client, ValidBody().ToJsonString(), contentType: "text/plain")).StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        var huge = await Post(client, "{\"customerId\": \"" + new string('x', 2 * 1024 * 1024) + "\"}");
        huge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        huge.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Theory]
    [InlineData("/api/orders/00000000-0000-0000-0000-000000000042", HttpStatusCode.NotFound)]
    [InlineData("/api/orders/not-an-id", HttpStatusCode.NotFound)]
    [InlineData("/api/orders?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/orders?cursor=garbage", HttpStatusCode.BadRequest)]
    [InlineData("/api/orders?cursor=-1", HttpStatusCode.BadRequest)]
    [InlineData("/api/orders?cursor=4000000000000000000", HttpStatusCode.BadRequest)]
    [InlineData("/api/stores/nowhere/products", HttpStatusCode.NotFound)]
    [InlineData("/api/slots?storeId=tst-01&date=31-12-2026", HttpStatusCode.BadRequest)]
    [InlineData("/api/slots?date=2026-12-31", HttpStatusCode.BadRequest)]
    [InlineData("/api/sagas/Invoice", HttpStatusCode.NotFound)]
    [InlineData("/api/sagas/Order/00000000-0000-0000-0000-000000000042", HttpStatusCode.NotFound)]
    public async Task Bad_reads_are_problems(string path, HttpStatusCode status)
    {
        using var client = await factory.Client();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Cancelling_an_unknown_order_is_404_and_answering_without_a_question_is_409()
    {
        using var client = await factory.Client();
        var accepted = await (await Post(client, ValidBody().ToJsonString())).Content.ReadFromJsonAsync<JsonElement>();
        var orderId = accepted.GetProperty("orderId").GetGuid();
        await WaitForState(client, orderId, "Completed");

        var unknown = await client.PostAsync(new Uri($"/api/orders/{Guid.NewGuid()}/cancel", UriKind.Relative), null);
        var noQuestion = await client.PostAsJsonAsync(new Uri($"/api/orders/{orderId}/substitutions/decisions", UriKind.Relative),
            new { decisions = new[] { new { sku = "DAI-00001", approve = true } } });
        var badDecision = await client.PostAsJsonAsync(new Uri($"/api/orders/{orderId}/substitutions/decisions", UriKind.Relative), new { decisions = "yes" });

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        noQuestion.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        badDecision.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_declined_payment_rejects_the_order_and_gives_the_slot_back()
    {
        using var client = await factory.Client();
        var body = ValidBody();
        body["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_decline" };

        var accepted = await (await Post(client, body.ToJsonString())).Content.ReadFromJsonAsync<JsonElement>();
        var orderId = accepted.GetProperty("orderId").GetGuid();
        var order = await WaitForState(client, orderId, "Rejected");
        order.GetProperty("endReason").GetString().ShouldBe("PaymentDeclined");

        // The slot saga releases the hold right after the order's rejection.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!order.GetProperty("timeline").EnumerateArray().Any(t => t.GetProperty("saga").GetString() == "SlotReservation" && t.GetProperty("to").GetString() == "Released"))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the slot was not released");
            await Task.Delay(100);
            order = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        }
    }

    [Theory]
    [InlineData("sua tuoi", new[] { "DAI-00001", "DAI-00002" })]
    [InlineData("SỮA TƯƠI ít đường", new[] { "DAI-00002" })]
    [InlineData("fresh milk less", new[] { "DAI-00002" })]
    [InlineData("sua t", new[] { "DAI-00001", "DAI-00002" })]
    [InlineData("1 l", new[] { "DAI-00001", "DAI-00002" })]
    [InlineData("c", new string[0])]
    [InlineData("chuoi", new[] { "PRO-00001", "PRO-00002" })]
    [InlineData("chuối sứ", new[] { "PRO-00002" })]
    [InlineData("pro-00002", new[] { "PRO-00002" })]
    [InlineData("durian", new string[0])]
    public async Task Search_finds_products_by_either_name_with_or_without_accents(string search, string[] expected)
    {
        using var client = await factory.Client();

        var page = await client.GetFromJsonAsync<JsonElement>(new Uri(
            $"/api/stores/{GroceryApiFactory.Store}/products?search={Uri.EscapeDataString(search)}", UriKind.Relative));

        page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("sku").GetString()).ShouldBe(expected);
        page.GetProperty("total").GetInt32().ShouldBe(expected.Length);
        if (expected.Length > 0)
        {
            page.GetProperty("items")[0].GetProperty("nameVi").GetString().ShouldNotBeNullOrEmpty();
        }
    }

    [Theory]
    [InlineData("search=%21%21%21", "search", "at least one letter or digit")]
    [InlineData("search=milk&cursor=DAI-00001", "cursor", "nextCursor of the previous page")]
    [InlineData("search=milk&cursor=-1", "cursor", "nextCursor of the previous page")]
    public async Task A_search_without_words_or_with_a_cursor_of_another_kind_is_a_bad_request(string query, string field, string detail)
    {
        using var client = await factory.Client();

        using var response = await client.GetAsync(new Uri($"/api/stores/{GroceryApiFactory.Store}/products?{query}", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain(detail);
        problem.GetRawText().ShouldContain(field);
    }

    [Fact]
    public async Task The_catalogue_slots_and_ops_views_answer()
    {
        using var client = await factory.Client();

        var stores = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stores", UriKind.Relative));
        var page = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/stores/{GroceryApiFactory.Store}/products?search=milk&limit=1", UriKind.Relative));
        var next = await client.GetFromJsonAsync<JsonElement>(new Uri(
            $"/api/stores/{GroceryApiFactory.Store}/products?search=milk&limit=1&cursor={page.GetProperty("nextCursor").GetString()}", UriKind.Relative));
        var date = GroceryApiFactory.OpenWindow.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var slots = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/slots?storeId={GroceryApiFactory.Store}&date={date}", UriKind.Relative));
        var sagas = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/sagas", UriKind.Relative));

        stores.EnumerateArray().Select(s => s.GetProperty("storeId").GetString()).ShouldBe([GroceryApiFactory.Store, GroceryApiFactory.OtherStore]);
        var milk = page.GetProperty("items")[0];
        milk.GetProperty("sku").GetString().ShouldBe("DAI-00001");
        milk.GetProperty("price").GetInt64().ShouldBe(45_700);
        milk.GetProperty("currency").GetString().ShouldBe("VND");
        next.GetProperty("items")[0].GetProperty("sku").GetString().ShouldBe("DAI-00002");
        next.GetProperty("nextCursor").ValueKind.ShouldBe(JsonValueKind.Null);
        slots.EnumerateArray().Select(s => s.GetProperty("slotId").GetGuid()).ShouldContain(GroceryApiFactory.OpenSlot);
        sagas.EnumerateArray().Select(s => s.GetProperty("type").GetString()).ShouldBe(
            ["Order", "SlotReservation", "Picking", "SubstitutionApproval", "DeliveryHandoff"]);
    }

    [Fact]
    public async Task OpenAPI_describes_the_endpoints()
    {
        using var client = await factory.Client();

        var document = await client.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/orders");
        paths.ShouldContain("/api/orders/{orderId}");
        paths.ShouldContain("/api/slots");
        paths.ShouldContain("/api/sagas/{type}/graph");
    }

    private static string With(JsonObject body, string name, JsonNode value)
    {
        body[name] = value;
        return body.ToJsonString();
    }

    private static string Without(JsonObject body, string name)
    {
        body.Remove(name);
        return body.ToJsonString();
    }

    private static string Line(JsonObject body, string sku, double quantity) =>
        With(body, "lines", new JsonArray(new JsonObject { ["sku"] = sku, ["quantity"] = quantity }));
}
