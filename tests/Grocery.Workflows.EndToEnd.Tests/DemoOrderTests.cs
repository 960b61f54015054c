using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// The run command's engine as a process: it starts, seeds its catalogue, and an order posted the way the
/// storefront posts it reaches Completed within 30 s with a timeline across all five sagas.
/// </summary>
[Collection(nameof(SharedServers))]
public sealed class DemoOrderTests
{
    private static readonly Dictionary<string, string> AlwaysShort = new()
    {
        // Every line short and every replacement approved, so that the order always needs all five sagas.
        ["Simulation__ShortageRate"] = "1",
        ["Simulation__ApprovalRate"] = "1",
        ["Simulation__CourierNoShowRate"] = "0",
    };

    [Fact]
    public async Task On_the_embedded_default_a_demo_order_completes_within_30_seconds()
    {
        await using var host = await HostProcess.Start(AlwaysShort);
        host.StartedIn.ShouldBeLessThan(TimeSpan.FromSeconds(60));
        await host.Ready(TimeSpan.FromSeconds(60));

        var (orderId, order) = await PlaceAndFollow(host.Client);

        order.GetProperty("state").GetString().ShouldBe("Completed", host.Output);
        Sagas(order).ShouldBe(["DeliveryHandoff", "Order", "Picking", "SlotReservation", "SubstitutionApproval"]);
        host.Output.ShouldContain("SIMULATION MODE");
        orderId.ShouldNotBe(Guid.Empty);
    }

    [Fact]
    public async Task The_demo_script_follows_an_order_to_its_end_with_a_token_it_prints()
    {
        await using var host = await HostProcess.Start(AlwaysShort);
        await host.Ready(TimeSpan.FromSeconds(60));
        var script = Path.Combine(Repository(), "scripts", "demo.sh");
        var info = new System.Diagnostics.ProcessStartInfo("bash", [script, host.BaseAddress.ToString().TrimEnd('/'), "hcm-01"])
        {
            WorkingDirectory = host.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The README runs both from the repository; here the engine's working directory is the test's, so the
        // token command runs the built host there, where its key is.
        info.Environment["GROCERY_TOKEN_COMMAND"] = $"dotnet {HostProcess.HostDll()}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        using var demo = System.Diagnostics.Process.Start(info)!;
        var output = demo.StandardOutput.ReadToEndAsync();
        var errors = demo.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await demo.WaitForExitAsync(limit.Token);

        demo.ExitCode.ShouldBe(0, $"{await output}\n{await errors}\n{host.Output}");
        (await output).ShouldContain(": Completed");
        (await output).ShouldNotContain("eyJ", customMessage: "the demo never prints its token");
    }

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "demo.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("scripts/demo.sh not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task On_PostgreSQL_the_order_completes_and_its_transitions_are_rows_of_the_timeline_table()
    {
        var server = new NpgsqlConnectionStringBuilder(
            Environment.GetEnvironmentVariable("GROCERY_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres");
        var database = $"grocery_e2e_{Guid.NewGuid():N}";
        await Execute(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        try
        {
            await using (var host = await HostProcess.Start(new Dictionary<string, string>(AlwaysShort)
            {
                ["Persistence__Provider"] = "PostgreSql",
                ["ConnectionStrings__Workflows"] = connectionString,
            }))
            {
                await host.Ready(TimeSpan.FromSeconds(90));
                var (orderId, order) = await PlaceAndFollow(host.Client);
                order.GetProperty("state").GetString().ShouldBe("Completed", host.Output);

                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT saga_type, to_state FROM saga_timeline WHERE order_id = @order ORDER BY id", connection);
                command.Parameters.AddWithValue("order", orderId);
                var rows = new List<(string Saga, string To)>();
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        rows.Add((reader.GetString(0), reader.GetString(1)));
                    }
                }

                rows.Select(r => r.Saga).Distinct().Order().ShouldBe(["DeliveryHandoff", "Order", "Picking", "SlotReservation", "SubstitutionApproval"]);
                rows.Where(r => r.Saga == "Order").Select(r => r.To).Last().ShouldBe("Completed");
                rows.Count.ShouldBe(order.GetProperty("timeline").GetArrayLength());
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString,
                $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task On_RabbitMQ_and_PostgreSQL_the_order_completes()
    {
        var vhost = $"grocery-e2e-{Guid.NewGuid():N}";
        await RabbitMqCtl("add_vhost", vhost);
        await RabbitMqCtl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        var amqp = new Uri(Environment.GetEnvironmentVariable("GROCERY_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/");
        var server = new NpgsqlConnectionStringBuilder(
            Environment.GetEnvironmentVariable("GROCERY_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres");
        var database = $"grocery_e2e_{Guid.NewGuid():N}";
        await Execute(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString, $"CREATE DATABASE {database}");
        try
        {
            await using var host = await HostProcess.Start(new Dictionary<string, string>(AlwaysShort)
            {
                ["Persistence__Provider"] = "PostgreSql",
                ["ConnectionStrings__Workflows"] = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString,
                ["Transport__Kind"] = "RabbitMq",
                ["ConnectionStrings__RabbitMq"] = new UriBuilder(amqp) { Path = "/" + vhost }.Uri.ToString(),
            });
            await host.Ready(TimeSpan.FromSeconds(90));

            var (_, order) = await PlaceAndFollow(host.Client);

            order.GetProperty("state").GetString().ShouldBe("Completed", host.Output);
            Sagas(order).ShouldBe(["DeliveryHandoff", "Order", "Picking", "SlotReservation", "SubstitutionApproval"]);
            var queues = await RabbitMqCtl("list_queues", "-p", vhost, "--quiet", "--no-table-headers", "name", "type");
            queues.ShouldContain("order-state\tquorum");
            queues.ShouldContain("commit-picked-stock\tquorum");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString,
                $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await RabbitMqCtl("delete_vhost", vhost);
        }
    }

    [Fact]
    public async Task An_order_in_flight_when_the_host_gets_SIGTERM_completes_after_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("grocery-e2e-restart-").FullName;
        var slow = new Dictionary<string, string>(AlwaysShort) { ["Simulation__StepDelay"] = "00:00:00.500" };
        try
        {
            Guid orderId;
            await using (var first = await HostProcess.Start(slow, directory))
            {
                await first.Ready(TimeSpan.FromSeconds(60));
                orderId = await Place(first.Client);
                await WaitFor(first.Client, orderId, "Picking", TimeSpan.FromSeconds(30));

                var stoppedIn = await first.Terminate(TimeSpan.FromSeconds(30));

                stoppedIn.ShouldBeLessThan(TimeSpan.FromSeconds(15));
                first.ExitCode.ShouldBe(0, first.Output);
            }

            await using var second = await HostProcess.Start(slow, directory);
            await second.Ready(TimeSpan.FromSeconds(60));
            var order = await WaitFor(second.Client, orderId, "Completed", TimeSpan.FromSeconds(60));
            Sagas(order).ShouldBe(["DeliveryHandoff", "Order", "Picking", "SlotReservation", "SubstitutionApproval"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<JsonElement> WaitFor(HttpClient client, Guid orderId, string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement order = default;
        while (DateTime.UtcNow < deadline)
        {
            var view = await client.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
            if (view.StatusCode == HttpStatusCode.OK)
            {
                order = await view.Content.ReadFromJsonAsync<JsonElement>();
                if (order.GetProperty("state").GetString() == state)
                {
                    return order;
                }
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"Order {orderId} did not reach {state}; last: {order}");
    }

    /// <summary>Each test gets a virtual host of its own on the RabbitMQ from scripts/services.sh.</summary>
    internal static async Task<string> RabbitMqCtl(params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("rabbitmqctl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["RABBITMQ_NODENAME"] = "rabbit@localhost";
        info.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") + ":/usr/sbin:/usr/local/sbin";
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"rabbitmqctl {string.Join(' ', arguments)}: {error}");
        return await output;
    }

    /// <summary>Posts an order, then follows it to its end (30 s at most).</summary>
    private static async Task<(Guid OrderId, JsonElement Order)> PlaceAndFollow(HttpClient client)
    {
        var orderId = await Place(client);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement order = default;
        while (DateTime.UtcNow < deadline)
        {
            var view = await client.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
            if (view.StatusCode == HttpStatusCode.OK)
            {
                order = await view.Content.ReadFromJsonAsync<JsonElement>();
                if (order.GetProperty("state").GetString() is "Completed" or "Rejected" or "Cancelled" or "Refunded")
                {
                    return (orderId, order);
                }
            }

            await Task.Delay(200);
        }

        throw new ShouldAssertException($"Order {orderId} did not end within 30 s; last: {order}");
    }

    /// <summary>Picks a bookable slot and two products the way a storefront would and posts the order.</summary>
    private static async Task<Guid> Place(HttpClient client)
    {

        var stores = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stores", UriKind.Relative));
        var store = stores[0].GetProperty("storeId").GetString()!;
        Guid? slotId = null;
        for (var day = 0; day < 3 && slotId is null; day++)
        {
            var date = DateTime.UtcNow.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var slots = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/slots?storeId={store}&date={date}", UriKind.Relative));
            slotId = slots.EnumerateArray().Where(s => s.GetProperty("available").GetInt32() > 0).Select(s => (Guid?)s.GetProperty("slotId").GetGuid()).FirstOrDefault();
        }

        slotId.ShouldNotBeNull("no bookable slot in the next 3 days");
        var products = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/stores/{store}/products?limit=200", UriKind.Relative));
        var lines = products.GetProperty("items").EnumerateArray()
            .Where(p => p.GetProperty("unit").GetString() == "Each" && p.GetProperty("available").GetDecimal() >= 5)
            .Take(2).Select(p => new { sku = p.GetProperty("sku").GetString(), quantity = 2 }).ToArray();
        lines.Length.ShouldBe(2);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new
            {
                customerId = "e2e-customer",
                storeId = store,
                slotId,
                lines,
                payment = new { provider = "sandbox", token = "tok_success" },
                delivery = new { address = "15 Nguyen Hue, District 1", latitude = 10.7743, longitude = 106.7038, phone = "+84901234567" },
                substitutionPreference = "accept",
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }


    private static List<string?> Sagas(JsonElement order) =>
        [.. order.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("saga").GetString()).Distinct().Order()];

    internal static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
