using System.Net;
using Grocery.Workflows.Consumers.Delivery;
using Grocery.Workflows.Consumers.Delivery.Grab;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Delivery;

/// <summary>The GrabExpress adapter alone against the stand-in: its token, its calls, its answers to Grab's refusals and failures.</summary>
public sealed class GrabGatewayTests : IAsyncLifetime
{
    private GrabExpressStandIn _grab = null!;
    private ServiceProvider _services = null!;

    private static readonly CourierJob Job = new(Guid.NewGuid(), 1, "hcm-01",
        new CourierPlace("Grocery District 1", "15 Le Loi, District 1", 10.773521, 106.701234, "+842838221500", null),
        new CourierPlace("cust-1", "15 Nguyen Hue, District 1", 10.7743, 106.7038, "+84901234567", "Gate code 1234"),
        [new CourierPackage("Fresh Milk 1 L", 2, 91_400, 1_000)], "VND", DateTimeOffset.UtcNow.AddMinutes(45), DateTimeOffset.UtcNow.AddMinutes(105));

    private GrabExpressGateway Gateway => _services.GetRequiredService<GrabExpressGateway>();

    public async Task InitializeAsync()
    {
        _grab = await GrabExpressStandIn.Start();
        _grab.Plans.Clear();
        _grab.Plans.Add(GrabCourierPlan.Silent);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Couriers:Provider"] = "grab",
            ["Grab:ClientId"] = GrabExpressStandIn.ClientId,
            ["Grab:ClientSecret"] = GrabExpressStandIn.ClientSecret,
            ["Grab:WebhookSecret"] = GrabExpressStandIn.WebhookSecret,
            ["Grab:ApiBase"] = _grab.ApiBase,
            ["Grab:TokenUrl"] = _grab.TokenUrl,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System).AddLogging();
        services.AddCouriers(configuration);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _grab.DisposeAsync();
    }

    [Fact]
    public async Task A_quote_and_a_booking_use_one_token_and_a_revoked_token_is_fetched_again()
    {
        var quote = await Gateway.Quote(Job, CancellationToken.None);
        quote.Fee.ShouldBe(new Money(32_000, "VND"));
        quote.EstimatedDropOff.ShouldNotBeNull();

        var booking = await Gateway.Book(Job, retry: false, CancellationToken.None);
        booking.Succeeded.ShouldBeTrue();
        booking.DeliveryId.ShouldStartWith("IN-2-");
        _grab.TokensIssued.ShouldBe(1);
        var sent = _grab.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith("/v1/deliveries", StringComparison.Ordinal)).Body!;
        sent["serviceType"]!.GetValue<string>().ShouldBe("INSTANT", "the window starts within two hours");
        sent["recipient"]!["instruction"]!.GetValue<string>().ShouldBe("Gate code 1234");
        sent["packages"]![0]!["price"]!.GetValue<double>().ShouldBe(91_400, "dong have no minor unit");

        _grab.RevokeTokens();
        (await Gateway.Get(booking.DeliveryId!, CancellationToken.None))!.Status.ShouldBe(CourierStatus.Allocating);
        _grab.TokensIssued.ShouldBe(1, "the revoked token was dropped and one new one fetched");
        _grab.Requests.Count(r => r.Path.EndsWith("/oauth2/token", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public async Task A_booking_retried_after_a_lost_answer_cancels_what_the_first_try_made()
    {
        var job = Job with { OrderId = Guid.NewGuid() };
        var first = await Gateway.Book(job, retry: false, CancellationToken.None);

        var second = await Gateway.Book(job, retry: true, CancellationToken.None);

        _grab.Requests.ShouldContain(r => r.Method == "DELETE" && r.Path.EndsWith($"/v1/merchant/deliveries/{job.MerchantOrderId}", StringComparison.Ordinal));
        _grab.Deliveries[first.DeliveryId!]["status"]!.GetValue<string>().ShouldBe("CANCELED");
        _grab.Deliveries[second.DeliveryId!]["status"]!.GetValue<string>().ShouldBe("ALLOCATING");
    }

    [Fact]
    public async Task A_server_error_throws_for_a_retry_and_a_refusal_is_an_answer()
    {
        _grab.FailNextCreate(503);
        var failure = await Should.ThrowAsync<HttpRequestException>(() => Gateway.Book(Job with { OrderId = Guid.NewGuid() }, retry: false, CancellationToken.None));
        failure.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        _grab.RefuseCreatesNear(1.2345);
        var refused = await Gateway.Book(Job with { OrderId = Guid.NewGuid(), Destination = Job.Destination with { Latitude = 1.2345 } }, retry: false, CancellationToken.None);
        refused.Succeeded.ShouldBeFalse();
        refused.Refusal.ShouldBe("Grab answered 400: Code: 105. Reason: Distance SLA exceeded");
    }

    [Fact]
    public async Task A_booking_picked_up_cannot_be_cancelled()
    {
        var booking = await Gateway.Book(Job with { OrderId = Guid.NewGuid() }, retry: false, CancellationToken.None);
        _grab.Deliveries[booking.DeliveryId!]["status"] = "IN_DELIVERY";

        (await Gateway.Cancel(booking.DeliveryId!, CancellationToken.None)).ShouldBeFalse();
        (await Gateway.Cancel("IN-2-NOSUCH", CancellationToken.None)).ShouldBeFalse();
    }
}
