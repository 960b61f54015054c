using MassTransit;
using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;

namespace Grocery.Workflows.Messaging.Failures;

/// <summary>
/// Failures of the infrastructure rather than of the message: a database that restarts or has no free connection, a
/// busy SQLite file, Redis unreachable. A message that meets one is retried for about a minute and a half before it
/// counts as failed, so that a restart of PostgreSQL or Redis sends nothing to the error queue.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NpgsqlException npgsql when npgsql.IsTransient:
                case SqliteException { SqliteErrorCode: 5 or 6 }: // SQLITE_BUSY, SQLITE_LOCKED
                case RedisConnectionException or RedisTimeoutException:
                case TimeoutException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every endpoint of the bus retries a transient failure with growing pauses (0.2 s to 15 s, 10 times); inside it
    /// the endpoint's own retry handles saga conflicts and everything else.
    /// </summary>
    public static void UseTransientFailureRetry(this IBusFactoryConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.UseMessageRetry(r =>
        {
            r.Handle<Exception>(IsTransient);
            r.Exponential(10, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500));
        });
    }
}
