using System.Net;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Sagas.Orders;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>
/// An API pod (<c>Host:Role=Api</c>) on PostgreSQL and RabbitMQ, as the blue and green Deployments run it: it answers
/// the API, consumes nothing, and needs no Redis. Needs the PostgreSQL and RabbitMQ of scripts/services.sh.
/// </summary>
public sealed class ApiRoleTests : IAsyncLifetime
{
    private const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres";
    private readonly string _name = $"grocery_test_{Guid.NewGuid():N}";
    private string _server = "";

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("GROCERY_POSTGRES");
        _server = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? DefaultPostgres : configured) { Database = "postgres" }.ToString();
        await Execute($"CREATE DATABASE {_name}");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    [Fact]
    public async Task An_api_pod_answers_consumes_nothing_and_stays_ready_without_redis()
    {
        await using var pod = new ApiPod(new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ToString());
        using var client = pod.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", pod.Services.GetRequiredService<LocalTokenIssuer>()
            .Create(new TokenRequest([GroceryRoles.Ops, GroceryRoles.Storefront]), DateTimeOffset.UtcNow));

        // Ready once the bus has connected to RabbitMQ; the dead Redis is never asked.
        var until = DateTime.UtcNow.AddSeconds(30);
        var readiness = new Uri("/health/ready", UriKind.Relative);
        var ready = await client.GetAsync(readiness);
        while (ready.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < until)
        {
            await Task.Delay(200);
            ready = await client.GetAsync(readiness);
        }

        ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
        (await client.GetAsync(new Uri("/api/stores", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync(new Uri("/api/sagas/Order/graph", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pod.ScrapeMetrics()).ShouldContain("\norders_completed_total ");

        // No saga and no consumer is registered on the bus: an idle colour does no work.
        pod.Services.GetService<ISagaRepository<OrderState>>().ShouldBeNull();
        pod.Services.GetRequiredService<OrderStateMachine>().ShouldNotBeNull();
    }

    private async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class ApiPod(string connectionString) : WebApplicationFactory<Program>
    {
        private readonly string _key = Path.Combine(Path.GetTempPath(), "grocery-tests", $"api-pod-{Guid.NewGuid():N}.key.pem");

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            File.Delete(_key);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Auth:LocalKeyFile", _key);
            var rabbit = Environment.GetEnvironmentVariable("GROCERY_RABBITMQ");
            builder.UseSetting("Host:Role", "Api");
            builder.UseSetting("Persistence:Provider", "PostgreSql");
            builder.UseSetting("ConnectionStrings:Workflows", connectionString);
            builder.UseSetting("Transport:Kind", "RabbitMq");
            builder.UseSetting("ConnectionStrings:RabbitMq", string.IsNullOrWhiteSpace(rabbit) ? "amqp://guest:guest@127.0.0.1:5672/" : rabbit);
            // A Redis that is not there: API pods hold no slot and must not wait for it.
            builder.UseSetting("Slots:Store", "Redis");
            builder.UseSetting("ConnectionStrings:Redis", "127.0.0.1:1");
            builder.UseSetting("Seed:Enabled", "false");
            builder.UseSetting("Simulation:Enabled", "false");
            builder.UseSetting("Jobs:GenerateSlotsOnStart", "false");
            builder.UseSetting("Management:Urls", "http://127.0.0.1:0");
        }
    }
}
