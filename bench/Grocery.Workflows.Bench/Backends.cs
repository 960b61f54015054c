using System.Diagnostics;
using Npgsql;

namespace Grocery.Workflows.Bench;

/// <summary>
/// A PostgreSQL database, a RabbitMQ virtual host and a Redis key prefix of the bench's own on the servers from
/// scripts/services.sh (GROCERY_POSTGRES, GROCERY_RABBITMQ, GROCERY_REDIS), dropped afterwards.
/// </summary>
internal sealed class Backends : IAsyncDisposable
{
    // The servers scripts/services.sh starts, for a run without its GROCERY_* variables.
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres";
    private const string LocalRabbitMq = "amqp://guest:guest@127.0.0.1:5672/";
    private const string LocalRedis = "127.0.0.1:6379";

    private readonly string _admin;
    private readonly string _vhost;

    private Backends(string admin, string database, string vhost, string connectionString, Uri amqp, string redis)
    {
        _admin = admin;
        _vhost = vhost;
        Database = database;
        ConnectionString = connectionString;
        Environment = new Dictionary<string, string>
        {
            ["Persistence__Provider"] = "PostgreSql",
            ["ConnectionStrings__Workflows"] = connectionString,
            ["Transport__Kind"] = "RabbitMq",
            ["ConnectionStrings__RabbitMq"] = new UriBuilder(amqp) { Path = "/" + vhost }.Uri.ToString(),
            ["Slots__Store"] = "Redis",
            ["ConnectionStrings__Redis"] = redis,
            ["Slots__KeyPrefix"] = database + ":",
        };
    }

    public string Database { get; }

    public string ConnectionString { get; }

    /// <summary>The engine's settings for the production stack on these backends.</summary>
    public Dictionary<string, string> Environment { get; }

    public static async Task<Backends> Create(string name)
    {
        var server = new NpgsqlConnectionStringBuilder(
            System.Environment.GetEnvironmentVariable("GROCERY_POSTGRES") ?? LocalPostgres)
        {
            // Loopback: TLS would only spend both sides' CPU (Npgsql prefers it when the server offers it).
            SslMode = SslMode.Disable,
        };
        var database = $"grocery_bench_{name}_{Guid.NewGuid():N}"[..40];
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString;
        await Sql.Execute(admin, $"CREATE DATABASE {database}");
        var vhost = database.Replace('_', '-');
        await RabbitMqCtl("add_vhost", vhost);
        await RabbitMqCtl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        var amqp = new Uri(System.Environment.GetEnvironmentVariable("GROCERY_RABBITMQ") ?? LocalRabbitMq);
        var redis = System.Environment.GetEnvironmentVariable("GROCERY_REDIS") ?? LocalRedis;
        return new Backends(admin, database, vhost, new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString, amqp, redis);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Sql.Execute(_admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await RabbitMqCtl("delete_vhost", _vhost);
    }

    private static async Task RabbitMqCtl(params string[] arguments)
    {
        var info = new ProcessStartInfo("rabbitmqctl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["RABBITMQ_NODENAME"] = "rabbit@localhost";
        info.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") + ":/usr/sbin:/usr/local/sbin";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)}: {await error}");
        }
    }
}

internal static class Sql
{
    public static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 900 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A scalar of a query with one parameter, <c>@orders</c>: an array of order ids.</summary>
    public static async Task<long> Scalar(string connectionString, string sql, Guid[] orders)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("orders", orders);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first column (a name) and second (a count) of each row.</summary>
    public static async Task<Dictionary<string, long>> Counts(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>The first column (order id) and second (a timestamp) of each row.</summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> Times(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var times = new Dictionary<Guid, DateTimeOffset>();
        while (await reader.ReadAsync())
        {
            times[reader.GetGuid(0)] = await reader.GetFieldValueAsync<DateTimeOffset>(1);
        }

        return times;
    }
}

/// <summary>Fills the workflow tables with copies of the rows finished orders left, to time the engine on a larger history.</summary>
internal static class History
{
    // Every table an order writes to. Copies get new uuids, the same new one for the same old one within a round
    // (md5 of the old and the round), so that a copied order's rows still refer to each other where a round copies
    // them all (the retention job deletes them together); fresh text keys, and new identity values.
    private static readonly string[] Tables =
    [
        "order_sagas", "slot_reservation_sagas", "picking_sagas", "substitution_sagas", "delivery_sagas",
        "saga_timeline", "inbox_messages", "stock_ledger", "slot_holds", "order_requests",
    ];

    public static async Task Grow(string connectionString, long orders)
    {
        while (await Sql.Scalar(connectionString, "SELECT count(*) FROM order_sagas") is var now && now < orders)
        {
            if (now == 0)
            {
                throw new InvalidOperationException("No orders to copy");
            }

            // Double at most, so that the order count lands near the target; every table grows by the same share.
            var share = Math.Min(1.0, (orders - now) / (double)now);
            foreach (var table in Tables)
            {
                await Sql.Execute(connectionString, $"""
                    DO $$
                    DECLARE columns text; copies text;
                    BEGIN
                      SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
                             string_agg(CASE WHEN data_type = 'uuid' THEN 'md5(' || quote_ident(column_name) || '::text || ''r{now}'')::uuid'
                                             WHEN column_name = 'idempotency_key' THEN 'md5(random()::text)'
                                             ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
                        INTO columns, copies
                        FROM information_schema.columns
                       WHERE table_schema = 'public' AND table_name = '{table}' AND is_identity = 'NO';
                      EXECUTE format('INSERT INTO {table} (%s) SELECT %s FROM {table} LIMIT (SELECT ceil(count(*) * {share.ToString(System.Globalization.CultureInfo.InvariantCulture)}) FROM {table})', columns, copies);
                    END $$;
                    """);
            }
        }

        await Sql.Execute(connectionString, "ANALYZE");
    }
}
