using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>The end-to-end tests share the servers, and some of them restart one: they run one at a time.</summary>
[CollectionDefinition(nameof(SharedServers), DisableParallelization = true)]
public sealed class SharedServers;

/// <summary>
/// The production configuration on the servers from scripts/services.sh: a PostgreSQL database, a RabbitMQ virtual
/// host and a Redis key prefix of its own, dropped afterwards; and what the tests ask of a whole run.
/// </summary>
public sealed class ProductionRun : IAsyncDisposable
{
    private static readonly string[] Terminal = ["Completed", "Rejected", "Cancelled", "Refunded"];
    private readonly string _admin;
    private readonly string _database;
    private readonly string _vhost;

    private ProductionRun(string admin, string database, string connectionString, string vhost, Dictionary<string, string> environment)
    {
        _admin = admin;
        _database = database;
        _vhost = vhost;
        ConnectionString = connectionString;
        Environment = environment;
    }

    public string ConnectionString { get; }

    /// <summary>The host's settings: PostgreSQL, RabbitMQ, the Redis slot store, a quick simulator that approves every substitute.</summary>
    public Dictionary<string, string> Environment { get; }

    public static async Task<ProductionRun> Create()
    {
        var id = Guid.NewGuid().ToString("N");
        var vhost = $"grocery-e2e-{id}";
        await DemoOrderTests.RabbitMqCtl("add_vhost", vhost);
        await DemoOrderTests.RabbitMqCtl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        var amqp = new Uri(System.Environment.GetEnvironmentVariable("GROCERY_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/");
        var server = new NpgsqlConnectionStringBuilder(
            System.Environment.GetEnvironmentVariable("GROCERY_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres");
        var database = $"grocery_e2e_{id}";
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString;
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        await DemoOrderTests.Execute(admin, $"CREATE DATABASE {database}");
        return new ProductionRun(admin, database, connectionString, vhost, new Dictionary<string, string>
        {
            ["Persistence__Provider"] = "PostgreSql",
            ["ConnectionStrings__Workflows"] = connectionString,
            ["Transport__Kind"] = "RabbitMq",
            ["ConnectionStrings__RabbitMq"] = new UriBuilder(amqp) { Path = "/" + vhost }.Uri.ToString(),
            ["Slots__Store"] = "Redis",
            ["ConnectionStrings__Redis"] = System.Environment.GetEnvironmentVariable("GROCERY_REDIS") ?? "127.0.0.1:6379",
            ["Slots__KeyPrefix"] = $"{database}:",
            ["Simulation__StepDelay"] = "00:00:00.050",
            ["Simulation__ApprovalRate"] = "1",
            ["Simulation__CourierNoShowRate"] = "0",
        });
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await DemoOrderTests.Execute(_admin, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        await DemoOrderTests.RabbitMqCtl("delete_vhost", _vhost);
    }

    /// <summary>A store, its slots of tomorrow with room for ten orders, and twenty products with stock for fifty.</summary>
    public static async Task<(string Store, List<Guid> Slots, List<string> Skus)> Catalogue(HttpClient client)
    {
        var store = "sgp-01";
        var date = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var slots = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/slots?storeId={store}&date={date}", UriKind.Relative));
        var products = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/stores/{store}/products?search=milk&limit=100", UriKind.Relative));
        return (store,
            [.. slots.EnumerateArray().Where(s => s.GetProperty("available").GetInt32() >= 10).Select(s => s.GetProperty("slotId").GetGuid())],
            [.. products.GetProperty("items").EnumerateArray()
                .Where(p => p.GetProperty("unit").GetString() == "Each" && p.GetProperty("available").GetDecimal() >= 50)
                .Select(p => p.GetProperty("sku").GetString()!).Take(20)]);
    }

    /// <summary>Posts the i-th order of a run: a slot and two products taken round the catalogue.</summary>
    public static async Task<Guid> Place(HttpClient client, (string Store, List<Guid> Slots, List<string> Skus) catalogue, int i)
    {
        var (store, slots, skus) = catalogue;
        var (sku, other) = (skus[i % skus.Count], skus[(i + 7) % skus.Count]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new
            {
                customerId = "e2e",
                storeId = store,
                slotId = slots[i % slots.Count],
                lines = sku == other ? new[] { new { sku, quantity = 1 } } : [new { sku, quantity = 1 }, new { sku = other, quantity = 1 }],
                payment = new { provider = "sandbox", token = "tok_success" },
                delivery = new { address = "15 Nguyen Hue, District 1", latitude = 10.7743, longitude = 106.7038, phone = "+84901234567" },
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }

    /// <summary>Waits until <paramref name="count"/> orders are in a terminal state; returns the orders by state.</summary>
    public async Task<Dictionary<string, int>> WaitUntilTerminal(int count, TimeSpan timeout, Func<string> output)
    {
        var clock = Stopwatch.StartNew();
        Dictionary<string, int> byState = [];
        while (clock.Elapsed < timeout)
        {
            try
            {
                byState = await OrdersByState();
            }
            catch (NpgsqlException)
            {
                // The database is restarting: ask again.
            }

            if (byState.Where(s => Terminal.Contains(s.Key)).Sum(s => s.Value) == count)
            {
                return byState;
            }

            await Task.Delay(500);
        }

        throw new ShouldAssertException(
            $"Not all {count} orders ended within {timeout}: {string.Join(", ", byState)}\n{await Diagnose()}\n{output()}");
    }

    /// <summary>
    /// Every order ended at most once, no message failed, slot counters match the holds and never exceed the
    /// capacity, stock reservations match the balances, no finished order still holds stock, no order reserved or
    /// picked a product twice, and no balance is below zero.
    /// </summary>
    public async Task AssertBalanced()
    {
        (await Scalar(
            "SELECT count(*) FROM (SELECT order_id FROM saga_timeline WHERE saga_type = 'Order' AND to_state = 'Completed' GROUP BY order_id HAVING count(*) > 1) d"))
            .ShouldBe(0, "an order completed twice");
        (await Scalar("SELECT count(*) FROM failed_messages")).ShouldBe(0, await Diagnose());
        (await Scalar(
            "SELECT count(*) FROM delivery_slots s WHERE s.held <> (SELECT count(*) FROM slot_holds h WHERE h.slot_id = s.slot_id AND h.status = 'Held') " +
            "OR s.confirmed <> (SELECT count(*) FROM slot_holds h WHERE h.slot_id = s.slot_id AND h.status = 'Confirmed') OR s.held + s.confirmed > s.capacity"))
            .ShouldBe(0, "slot counters disagree with the holds");
        (await Scalar(
            "SELECT count(*) FROM stock_balances b WHERE b.reserved_milli <> COALESCE((SELECT sum(r.quantity_milli) FROM stock_reservations r " +
            "WHERE r.store_id = b.store_id AND r.sku = b.sku), 0)"))
            .ShouldBe(0, "stock reservations disagree with the balances");
        (await Scalar("SELECT count(*) FROM stock_reservations")).ShouldBe(0, "a finished order still holds stock");
        (await Scalar(
            "SELECT count(*) FROM (SELECT order_id, sku, movement FROM stock_ledger WHERE movement IN ('Reserved', 'Picked') " +
            "GROUP BY order_id, sku, movement HAVING count(*) > 1) d"))
            .ShouldBe(0, "an order reserved or picked one product twice");
        (await Scalar("SELECT count(*) FROM stock_balances WHERE on_hand_milli < 0 OR reserved_milli < 0")).ShouldBe(0, "a balance went below zero");
    }

    public async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task<Dictionary<string, int>> OrdersByState()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_state, count(*)::int FROM order_sagas GROUP BY current_state", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var byState = new Dictionary<string, int>();
        while (await reader.ReadAsync())
        {
            byState[reader.GetString(0)] = reader.GetInt32(1);
        }

        return byState;
    }

    /// <summary>What a failed run needs to be understood: failed messages, unfinished orders' timelines, undelivered outbox rows.</summary>
    private async Task<string> Diagnose()
    {
        var text = new StringBuilder();
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            foreach (var sql in new[]
                     {
                         "SELECT message_type || ' ' || left(exception_message, 300) FROM failed_messages",
                         "SELECT t.order_id || ' ' || t.saga_type || ' ' || t.from_state || ' -> ' || t.to_state || ' on ' || t.event || ' at ' || t.at || ' by ' || t.host_instance " +
                         "FROM saga_timeline t WHERE t.order_id IN (SELECT order_id FROM saga_timeline WHERE saga_type = 'Order' GROUP BY order_id " +
                         "HAVING bool_and(to_state NOT IN ('Completed', 'Rejected', 'Cancelled', 'Refunded'))) ORDER BY t.order_id, t.at",
                         "SELECT message_type || ' due ' || due_at || ' attempts ' || attempts || ' ' || coalesce(last_error, '') FROM outbox_messages",
                     })
            {
                text.AppendLine(sql);
                await using var command = new NpgsqlCommand(sql, connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    text.AppendLine(reader.GetString(0));
                }
            }
        }
        catch (NpgsqlException exception)
        {
            text.AppendLine(exception.Message);
        }

        return text.ToString();
    }

    /// <summary>Runs scripts/outage.sh: <c>stop</c> or <c>start</c> of <c>postgres</c>, <c>rabbitmq</c> or <c>redis</c>.</summary>
    public static async Task Outage(string action, string service)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Grocery.Workflows.sln")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the repository root (Grocery.Workflows.sln) above the test binaries");
        var info = new ProcessStartInfo("bash", [Path.Combine(root.FullName, "scripts", "outage.sh"), action, service])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"outage.sh {action} {service}: {await output}{error}");
    }
}
