using System.Net;
using Grocery.Workflows.Api.Tests.Payments;
using Grocery.Workflows.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Operations;

public sealed class HostingTests
{
    [Fact]
    public async Task A_started_host_answers_its_startup_readiness_and_liveness_probes()
    {
        await using var factory = new GroceryApiFactory();
        using var client = await factory.Client();

        foreach (var probe in new[] { "/health/startup", "/health/ready", "/health/live" })
        {
            (await client.GetAsync(probe)).StatusCode.ShouldBe(HttpStatusCode.OK, probe);
        }
    }

    [Fact]
    public async Task Data_protection_reads_its_key_ring_only_after_the_migrations_made_its_table()
    {
        await using var factory = new GroceryApiFactory();
        using var client = await factory.Client();

        var hosted = factory.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(h => h.GetType().Name).ToList();

        hosted.ShouldContain("DataProtectionHostedService");
        hosted.IndexOf("DataProtectionHostedService").ShouldBeGreaterThan(hosted.IndexOf(nameof(Grocery.Workflows.Persistence.DatabaseMigrator)));
    }

    [Fact]
    public void The_api_role_refuses_to_start_on_the_embedded_default_where_nobody_would_consume_its_messages()
    {
        using var factory = new GroceryApiFactory();
        factory.Settings["Host:Role"] = "Api";

        var failure = Should.Throw<InvalidOperationException>(() => factory.CreateClient());

        failure.Message.ShouldContain("Transport:Kind RabbitMq and Persistence:Provider PostgreSql");
    }

    [Fact]
    public async Task The_container_probe_exits_0_on_a_2xx_1_on_anything_else_and_2_on_bad_usage()
    {
        var app = await Loopback.Start(a =>
        {
            a.MapGet("/up", () => Results.Ok());
            a.MapGet("/down", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        });
        try
        {
            var address = Loopback.AddressOf(app);
            using var errors = new StringWriter();

            (await HealthProbe.Run(["--probe", new Uri(address, "/up").ToString()], errors)).ShouldBe(0);
            (await HealthProbe.Run(["--probe", new Uri(address, "/down").ToString()], errors)).ShouldBe(1);
            errors.ToString().ShouldContain("answered 503");
            (await HealthProbe.Run(["--probe", "http://127.0.0.1:1/health/live"], errors)).ShouldBe(1);
            errors.ToString().ShouldContain("did not answer");
            (await HealthProbe.Run(["--probe"], errors)).ShouldBe(2);
            (await HealthProbe.Run(["--probe", "ftp://127.0.0.1/x"], errors)).ShouldBe(2);
            HealthProbe.IsProbe(["--probe", "x"]).ShouldBeTrue();
            HealthProbe.IsProbe([]).ShouldBeFalse();
        }
        finally
        {
            await Loopback.Stop(app);
        }
    }
}
