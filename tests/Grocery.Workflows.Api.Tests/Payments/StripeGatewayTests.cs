using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Payments.Stripe;
using Grocery.Workflows.Contracts;
using Microsoft.Extensions.Options;
using Stripe;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>The Stripe adapter against a server that speaks Stripe's wire format.</summary>
public sealed class StripeGatewayTests : IAsyncLifetime
{
    private static readonly Money Amount = new(100_000, "VND");
    private StripeServer _stripe = null!;

    public async Task InitializeAsync() => _stripe = await StripeServer.Start();

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    private StripePaymentGateway Gateway(int retries = 0, TimeSpan? timeout = null)
    {
        var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        return new StripePaymentGateway(http, Options.Create(new StripeSettings
        {
            ApiKey = StripeServer.ApiKey, ApiBase = _stripe.BaseAddress.ToString(), MaxNetworkRetries = retries,
        }), TimeProvider.System);
    }

    private static PaymentCall Call(string step) => new(Guid.NewGuid(), "order-" + step + "-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task An_authorization_is_one_manual_capture_intent_confirmed_with_the_payment_method_and_the_step_key()
    {
        var call = Call("authorize-1");

        var result = await Gateway().Authorize(call, "pm_card_visa", Amount, CancellationToken.None);

        result.Succeeded.ShouldBeTrue();
        result.ProviderId!.ShouldStartWith("pi_");
        result.HoldExpiresAt!.Value.ShouldBeInRange(DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(5));
        var request = _stripe.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("payment_intents");
        request.IdempotencyKey.ShouldBe(call.IdempotencyKey);
        request.Form["capture_method"].ShouldBe("manual");
        request.Form["confirm"].ShouldBe("true");
        request.Form["payment_method"].ShouldBe("pm_card_visa");
        request.Form["amount"].ShouldBe("100000");
        request.Form["currency"].ShouldBe("vnd");
        request.Form["metadata[order_id]"].ShouldBe(call.OrderId.ToString());
        ((string?)_stripe.Intent(result.ProviderId)["status"]).ShouldBe("requires_capture");
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    [InlineData("pm_card_authenticationRequired", "authentication_required")]
    [InlineData("pm_unknown", "resource_missing")]
    public async Task A_refused_card_is_a_refusal_not_an_error(string paymentMethod, string reason)
    {
        var result = await Gateway().Authorize(Call("authorize-1"), paymentMethod, Amount, CancellationToken.None);

        result.Succeeded.ShouldBeFalse();
        result.Refusal.ShouldBe(reason);
    }

    [Fact]
    public async Task A_5xx_throws_and_the_retry_with_the_same_key_creates_no_second_intent()
    {
        var gateway = Gateway();
        var call = Call("authorize-1");
        _stripe.FailNext("payment_intents", 503);

        await Should.ThrowAsync<StripeException>(() => gateway.Authorize(call, "pm_card_visa", Amount, CancellationToken.None));
        var retried = await gateway.Authorize(call, "pm_card_visa", Amount, CancellationToken.None);

        retried.Succeeded.ShouldBeTrue();
        _stripe.Intents.Count.ShouldBe(1);
        _stripe.Requests.Select(r => r.IdempotencyKey).Distinct().ShouldBe([call.IdempotencyKey]);
    }

    [Fact]
    public async Task Stripe_net_retries_a_5xx_itself_with_the_same_key()
    {
        var call = Call("authorize-1");
        _stripe.FailNext("payment_intents", 500);

        var result = await Gateway(retries: 2).Authorize(call, "pm_card_visa", Amount, CancellationToken.None);

        result.Succeeded.ShouldBeTrue();
        _stripe.Requests.Count.ShouldBe(2);
        _stripe.Requests.ShouldAllBe(r => r.IdempotencyKey == call.IdempotencyKey);
        _stripe.Intents.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_lost_answer_times_out_and_the_retry_gets_the_intent_already_created()
    {
        var gateway = Gateway(timeout: TimeSpan.FromMilliseconds(500));
        var call = Call("authorize-1");
        _stripe.DelayNext("payment_intents", TimeSpan.FromSeconds(2));

        await Should.ThrowAsync<Exception>(() => gateway.Authorize(call, "pm_card_visa", Amount, CancellationToken.None));
        var retried = await gateway.Authorize(call, "pm_card_visa", Amount, CancellationToken.None);

        retried.Succeeded.ShouldBeTrue();
        _stripe.Intents.ShouldHaveSingleItem()["id"]!.GetValue<string>().ShouldBe(retried.ProviderId);
    }

    [Fact]
    public async Task Capture_takes_less_than_authorized_and_refuses_more()
    {
        var gateway = Gateway();
        var authorization = await gateway.Authorize(Call("authorize-1"), "pm_card_visa", Amount, CancellationToken.None);

        var tooMuch = await gateway.Capture(Call("capture-a"), authorization.ProviderId!, Amount with { Amount = 100_001 }, CancellationToken.None);
        var captured = await gateway.Capture(Call("capture-b"), authorization.ProviderId!, Amount with { Amount = 87_500 }, CancellationToken.None);

        tooMuch.Succeeded.ShouldBeFalse();
        tooMuch.Refusal.ShouldBe("amount_too_large");
        captured.Succeeded.ShouldBeTrue();
        _stripe.Requests.Last().Form["amount_to_capture"].ShouldBe("87500");
        ((long)_stripe.Intent(authorization.ProviderId!)["amount_received"]!).ShouldBe(87_500);
    }

    [Fact]
    public async Task Void_cancels_the_intent_and_voiding_again_is_not_an_error()
    {
        var gateway = Gateway();
        var authorization = await gateway.Authorize(Call("authorize-1"), "pm_card_visa", Amount, CancellationToken.None);

        await gateway.Void(Call("void"), authorization.ProviderId!, Amount, CancellationToken.None);
        await gateway.Void(Call("void-again"), authorization.ProviderId!, Amount, CancellationToken.None);

        ((string?)_stripe.Intent(authorization.ProviderId!)["status"]).ShouldBe("canceled");
    }

    [Fact]
    public async Task A_refund_returns_part_of_a_capture_and_refuses_more_than_is_left()
    {
        var gateway = Gateway();
        var authorization = await gateway.Authorize(Call("authorize-1"), "pm_card_visa", Amount, CancellationToken.None);
        await gateway.Capture(Call("capture"), authorization.ProviderId!, Amount with { Amount = 90_000 }, CancellationToken.None);

        var refund = await gateway.Refund(Call("refund-1"), authorization.ProviderId!, Amount with { Amount = 60_000 }, CancellationToken.None);
        var tooMuch = await gateway.Refund(Call("refund-2"), authorization.ProviderId!, Amount with { Amount = 30_001 }, CancellationToken.None);

        refund.Succeeded.ShouldBeTrue();
        refund.ProviderId!.ShouldStartWith("re_");
        _stripe.Requests.First(r => r.Path == "refunds").Form["payment_intent"].ShouldBe(authorization.ProviderId);
        tooMuch.Succeeded.ShouldBeFalse();
    }
}
