using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Tests;

public sealed class SagaGraphEndpointTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    [Theory]
    [InlineData("Order", "e_OrderSubmitted --> s_AwaitingPayment")]
    [InlineData("slotreservation", "e_SlotHoldTaken --> s_Held")]
    [InlineData("DeliveryHandoff", "e_ArrangeDelivery --> s_AwaitingCourier")]
    public async Task The_graph_of_a_saga_is_Mermaid_from_the_running_machine(string type, string edge)
    {
        using var client = await factory.Client();

        var response = await client.GetAsync(new Uri($"/api/sagas/{type}/graph", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldStartWith("flowchart TD");
        text.ShouldContain(edge);
    }

    [Fact]
    public async Task An_unknown_saga_type_is_a_404_problem_that_names_the_known_types()
    {
        using var client = await factory.Client();

        var response = await client.GetAsync(new Uri("/api/sagas/Invoice/graph", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Detail!.ShouldContain("Invoice");
        problem.Detail!.ShouldContain("SubstitutionApproval");
    }

    [Fact]
    public void Readiness_includes_the_message_bus_and_the_database()
    {
        var checks = factory.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        checks.ShouldContain(c => c.Tags.Contains("ready") && c.Name.Contains("masstransit", StringComparison.OrdinalIgnoreCase));
        checks.ShouldContain(c => c.Tags.Contains("ready") && c.Name == "database");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_healthy_when_the_bus_runs(string path)
    {
        using var client = await factory.Client();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }
}
