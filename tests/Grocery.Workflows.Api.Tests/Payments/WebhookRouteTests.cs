using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Sagas;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>
/// One route takes every provider's notifications, <c>POST /api/webhooks/{provider}</c>: the provider registered
/// under the path's name reads them, and a name no provider is registered under is a 404 problem that stores nothing.
/// </summary>
public sealed class WebhookRouteTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    [Theory]
    [InlineData("paypal")]
    [InlineData("sandbox")]
    [InlineData("stripe-v2")]
    public async Task A_provider_that_sends_no_notifications_here_is_404_problem_json_for_anyone(string provider)
    {
        using var anonymous = await factory.ClientWith(null);
        using var withToken = await factory.Client();
        var before = await factory.Query(db => db.ProviderEvents.CountAsync());

        foreach (var client in new[] { anonymous, withToken })
        {
            var response = await client.PostAsync(new Uri($"/api/webhooks/{provider}", UriKind.Relative),
                new StringContent("""{"id": "evt_1"}""", Encoding.UTF8, "application/json"));

            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            problem.GetProperty("title").GetString().ShouldBe("Payment provider not found");
            problem.GetProperty("status").GetInt32().ShouldBe(404);
        }

        (await factory.Query(db => db.ProviderEvents.CountAsync())).ShouldBe(before);
    }

    [Theory]
    [InlineData("/api/webhooks/stripe")]
    [InlineData("/api/webhooks/Stripe")]
    public async Task A_known_provider_is_reached_in_any_case_as_its_own_route_was(string path)
    {
        using var client = await factory.ClientWith(null);

        var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent("""{"id": "evt_1"}""", Encoding.UTF8, "application/json"));

        // The default host has no Stripe signing secret: Stripe's webhook reads the request and refuses it.
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("Stripe:WebhookSecret is not set");
    }

    [Fact]
    public void The_flag_that_switches_MoMo_off_is_one_of_the_engines_feature_flags()
    {
        GroceryFeatures.All.Keys.ShouldContain(MoMoProvider.Feature);
        GroceryFeatures.MoMoPayments.ShouldBe(MoMoProvider.Feature);
    }
}
