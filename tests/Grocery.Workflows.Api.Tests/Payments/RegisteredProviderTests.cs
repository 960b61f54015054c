using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Slots;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>
/// A provider is its registrations under its name and nothing else: one the engine has never heard of, registered by
/// the test alone, is offered to orders (its check is asked), counted with the others, and reached by the webhook route.
/// </summary>
public sealed class RegisteredProviderTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private const string Store = "acme-01";
    private static readonly Guid Slot = Guid.Parse("00000000-0000-0000-0000-0000000ac3e1");

    private GroceryApiFactory Factory { get; } = new();

    private WebApplicationFactory<Program> Engine { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.AddKeyedSingleton<IPaymentGateway>(Acme, new AcmeGateway());
            services.AddKeyedSingleton<IPaymentCheck>(Acme, new AcmeCheck());
            services.AddKeyedSingleton<IPaymentWebhook>(Acme, new AcmeWebhook());
        }));
        await using var scope = Engine.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        db.Stores.Add(new Store { StoreId = Store, Name = "Acme store", City = "Hanoi", TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100 });
        var window = DateTimeOffset.UtcNow.AddDays(2);
        db.DeliverySlots.Add(new DeliverySlot { SlotId = Slot, StoreId = Store, WindowStart = window, WindowEnd = window.AddHours(1), CutOffAt = window.AddHours(-2), Capacity = 5 });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Factory.DisposeAsync();
    }

    [Fact]
    public void It_is_offered_with_the_configured_ones_and_its_calls_are_counted_like_theirs()
    {
        var gateways = Engine.Services.GetRequiredService<PaymentGateways>();

        gateways.Providers.ShouldBe(["sandbox", Acme]);
        var gateway = gateways.For(Acme);
        gateway.Provider.ShouldBe(Acme);
        gateway.ShouldNotBeOfType<AcmeGateway>("the host's metering wraps every registered gateway");
    }

    [Fact]
    public async Task An_order_that_pays_with_it_is_answered_with_its_own_check()
    {
        using var client = Client(GroceryRoles.Storefront);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent(new JsonObject
            {
                ["customerId"] = "cust-acme", ["storeId"] = Store, ["slotId"] = Slot.ToString(),
                ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }),
                ["payment"] = new JsonObject { ["provider"] = Acme, ["token"] = "not-acme" },
                ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe(AcmeCheck.Title);
        problem.GetProperty("detail").GetString().ShouldBe(AcmeCheck.Detail);
    }

    [Fact]
    public async Task Its_notifications_reach_it_through_the_one_webhook_route_and_are_recorded_once()
    {
        using var client = Engine.CreateClient();

        var first = await client.PostAsync(new Uri($"/api/webhooks/{Acme}", UriKind.Relative), new StringContent("""{"ping": 1}""", Encoding.UTF8, "application/json"));
        var again = await client.PostAsync(new Uri($"/api/webhooks/{Acme}", UriKind.Relative), new StringContent("""{"ping": 1}""", Encoding.UTF8, "application/json"));

        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("acknowledged");
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("duplicate");
        await using var scope = Engine.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<WorkflowDbContext>().ProviderEvents.AsNoTracking().Where(e => e.Provider == Acme).ToListAsync();
        events.Select(e => e.EventId).ShouldBe([AcmeWebhook.EventId]);
    }

    private HttpClient Client(string role)
    {
        var client = Engine.CreateClient();
        var token = Engine.Services.GetRequiredService<LocalTokenIssuer>().Create(new TokenRequest([role], Name: "Acme test"), DateTimeOffset.UtcNow);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed class AcmeCheck : IPaymentCheck
    {
        public const string Title = "Invalid payment token";
        public const string Detail = "An acme payment.token is \"acme-ok\".";

        public Task<PaymentRefusal?> Check(OrderPayment payment, CancellationToken cancellationToken) =>
            Task.FromResult(payment.Token == "acme-ok" ? null : new PaymentRefusal(Title, Detail));
    }

    private sealed class AcmeWebhook : IPaymentWebhook
    {
        public const string EventId = "acme-evt-1";

        public PaymentNotification Read(string body, Func<string, string> header) =>
            new(Acme, EventId, "ping", PaymentNotificationKind.Ignored, null, null);
    }

    private sealed class AcmeGateway : IPaymentGateway
    {
        public string Provider => Acme;

        public Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken) =>
            Task.FromResult(PaymentResult.Ok("acme_auth"));

        public Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken) =>
            Task.FromResult(PaymentResult.Ok("acme_capture"));

        public Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken) =>
            Task.FromResult(PaymentResult.Ok("acme_refund"));
    }
}
