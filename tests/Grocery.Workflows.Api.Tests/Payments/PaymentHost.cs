using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Payments;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>The engine in process with Stripe pointed at a local Stripe-compatible server, and helpers to drive payments.</summary>
public sealed class StripeHost : IAsyncLifetime
{
    public StripeServer Stripe { get; private set; } = null!;

    public GroceryApiFactory Factory { get; } = new();

    public async Task InitializeAsync()
    {
        Stripe = await StripeServer.Start();
        Factory.Settings["Stripe:ApiKey"] = StripeServer.ApiKey;
        Factory.Settings["Stripe:ApiBase"] = Stripe.BaseAddress.ToString();
        Factory.Settings["Stripe:WebhookSecret"] = StripeServer.WebhookSecret;
        // Nothing short: the picked total stays within the estimate plus the margin.
        Factory.Settings["Simulation:ShortageRate"] = "0";
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

internal static class PaymentDriving
{
    /// <summary>Publishes a command to the engine's bus through its outbox, as a saga would.</summary>
    public static async Task Send<T>(this GroceryApiFactory factory, T command)
        where T : class
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        unitOfWork.Publish(command);
        await unitOfWork.CommitAsync(CancellationToken.None);
    }

    /// <summary>The order's ledger once it has at least <paramref name="count"/> lines (20 s at most).</summary>
    public static async Task<List<PaymentLedgerRow>> Ledger(this GroceryApiFactory factory, Guid orderId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var rows = await factory.Query(db => db.PaymentLedger.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.Id).ToListAsync());
            if (rows.Count >= count || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(50);
        }
    }

    public static async Task<JsonElement> PlaceAndWait(HttpClient client, string provider, string token, params string[] states)
    {
        var body = new JsonObject
        {
            ["customerId"] = "cust-pay",
            ["storeId"] = GroceryApiFactory.Store,
            ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(
                new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 2 },
                new JsonObject { ["sku"] = "PRO-00001", ["quantity"] = 1.25 }),
            ["payment"] = new JsonObject { ["provider"] = provider, ["token"] = token },
            ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var orderId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        return await WaitFor(client, orderId, order => states.Contains(order.GetProperty("state").GetString()));
    }

    /// <summary>The order as GET /api/orders/{id} shows it, once <paramref name="done"/> holds (30 s at most).</summary>
    public static async Task<JsonElement> WaitFor(HttpClient client, Guid orderId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement order = default;
        while (DateTime.UtcNow < deadline)
        {
            var answer = await client.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                order = await answer.Content.ReadFromJsonAsync<JsonElement>();
                if (done(order))
                {
                    return order;
                }
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"Order {orderId} did not get there in 30 s; last: {order}");
    }
}

/// <summary>The engine in process with MoMo pointed at a local MoMo-compatible server.</summary>
public sealed class MoMoHost : IAsyncLifetime
{
    public MoMoServer MoMo { get; private set; } = null!;

    public GroceryApiFactory Factory { get; } = new();

    public async Task InitializeAsync()
    {
        MoMo = await MoMoServer.Start();
        Factory.Settings["MoMo:PartnerCode"] = MoMoServer.PartnerCode;
        Factory.Settings["MoMo:AccessKey"] = MoMoServer.AccessKey;
        Factory.Settings["MoMo:SecretKey"] = MoMoServer.SecretKey;
        Factory.Settings["MoMo:Endpoint"] = MoMo.BaseAddress.ToString();
        Factory.Settings["MoMo:IpnUrl"] = "https://shop.example/api/webhooks/momo";
        Factory.Settings["MoMo:RedirectUrl"] = "https://shop.example/orders";
        Factory.Settings["Simulation:ShortageRate"] = "0";
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await MoMo.DisposeAsync();
    }
}
