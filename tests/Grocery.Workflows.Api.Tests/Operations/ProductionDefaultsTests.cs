using System.Net;
using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Host.Simulation;
using Grocery.Workflows.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>
/// The simulator and the sandbox stand in for real pickers, customers, couriers and payments: on in Development (the
/// README's run command), off anywhere else, and there a setting that turns either on stops the start unless the
/// matching AllowInProduction setting says it is meant. Outside Development the engine answers only the hosts of
/// AllowedHosts, and refuses to start when that would be any host.
/// </summary>
public sealed class ProductionDefaultsTests : IAsyncLifetime
{
    private GroceryApiFactory Factory { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    private WebApplicationFactory<Program> Production(params (string Key, string Value)[] settings) => Factory.WithWebHostBuilder(b =>
    {
        b.UseEnvironment("Production");
        // The test factory turns the simulator on.
        b.UseSetting("Simulation:Enabled", "false");
        // Never asked in these tests: only /health/live is called, and it is open.
        b.UseSetting("Auth:Authority", "https://127.0.0.1:9/unused");
        b.UseSetting("Auth:Audience", "grocery-workflows");
        foreach (var (key, value) in settings)
        {
            b.UseSetting(key, value);
        }
    });

    [Fact]
    public async Task Production_starts_with_neither_simulator_nor_sandbox()
    {
        await using var issuer = await TestOidcIssuer.Start();
        await using var production = new BareProduction(issuer);
        using var client = production.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", issuer.Token("storefront-backend", "storefront"));

        var stores = await client.GetAsync(new Uri("/api/stores", UriKind.Relative));

        stores.StatusCode.ShouldBe(HttpStatusCode.OK);
        stores.Headers.Contains("X-Grocery-Simulated").ShouldBeFalse();
        production.Services.GetRequiredService<PaymentGateways>().Providers.ShouldBeEmpty();
        production.Services.GetRequiredService<IOptions<SimulationSettings>>().Value.Enabled.ShouldBeFalse();
        production.Services.GetRequiredService<IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled.ShouldBeFalse("no usage report to masstransit.io");
    }

    /// <summary>The engine as the container starts it: Production, appsettings.json and nothing else but a database file.</summary>
    private sealed class BareProduction(TestOidcIssuer issuer) : WebApplicationFactory<Program>
    {
        private readonly string _file = Path.Combine(Path.GetTempPath(), "grocery-tests", $"production-{Guid.NewGuid():N}.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Workflows", $"Data Source={_file}");
            builder.UseSetting("Seed:Enabled", "false");
            builder.UseSetting("Auth:Authority", issuer.Authority);
            builder.UseSetting("Auth:Audience", TestOidcIssuer.Audience);
            builder.UseSetting("Auth:RequireHttpsMetadata", "false");
            // appsettings.json's management port is a fixed one: tests run many hosts at once.
            builder.UseSetting("Management:Urls", "http://127.0.0.1:0");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_file)!, Path.GetFileName(_file) + "*")
                         .Concat(Directory.GetFiles(Path.GetDirectoryName(_file)!, Path.GetFileNameWithoutExtension(_file) + ".quartz.db*")))
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task Production_answers_400_to_a_host_it_is_not_configured_for()
    {
        await using var issuer = await TestOidcIssuer.Start();
        await using var production = new BareProduction(issuer);
        using var client = production.CreateClient();

        foreach (var (host, expected) in new[] { ("grocery.attacker.example", HttpStatusCode.BadRequest), ("localhost", HttpStatusCode.OK), ("127.0.0.1:8080", HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/health/live", UriKind.Relative));
            request.Headers.Host = host;
            (await client.SendAsync(request)).StatusCode.ShouldBe(expected, host);
        }
    }

    [Fact]
    public async Task Development_answers_any_host()
    {
        using var client = await Factory.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/health/live", UriKind.Relative));
        request.Headers.Host = "grocery.attacker.example";

        (await client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("")]
    [InlineData("localhost;*")]
    public async Task Production_refuses_to_start_when_any_host_is_allowed(string allowedHosts)
    {
        await using var refused = Production(("AllowedHosts", allowedHosts));

        var failure = Should.Throw<InvalidOperationException>(() => refused.CreateClient());

        failure.Message.ShouldContain($"AllowedHosts is '{allowedHosts}' in the Production environment");
    }

    [Theory]
    [InlineData("Simulation:Enabled", "Simulation:AllowInProduction")]
    [InlineData("Payments:Sandbox", "Payments:AllowSandboxInProduction")]
    public async Task Production_refuses_to_start_with_a_stand_in_on_unless_it_is_allowed_as_well(string setting, string allowance)
    {
        await using (var refused = Production((setting, "true")))
        {
            var failure = Should.Throw<InvalidOperationException>(() => refused.CreateClient());
            failure.Message.ShouldContain(setting);
            failure.Message.ShouldContain(allowance);
        }

        await using var allowed = Production((setting, "true"), (allowance, "true"));
        using var client = allowed.CreateClient();
        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
