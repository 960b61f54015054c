using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Sagas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.FeatureManagement;
using StackExchange.Redis;

namespace Grocery.Workflows.Persistence.Slots.Redis;

public static class RedisSlotRegistration
{
    /// <summary>
    /// Slot capacity through Redis (<see cref="RedisSlotCapacity"/>) with the record in the workflow database, the
    /// rebuild-and-repair service, and a readiness check named <c>redis</c>. Call after <c>AddWorkflowPersistence</c>.
    /// </summary>
    public static IServiceCollection AddRedisSlotStore(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = ConfigurationOptions.Parse(connectionString);
        // Start (and keep running) while Redis is down: the multiplexer reconnects; readiness says it is down.
        options.AbortOnConnectFail = false;
        services.AddOptions<RedisSlotSettings>().BindConfiguration("Slots").ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        services.AddSingleton<RedisSlotCounters>();
        services.AddScoped<EfSlotCapacity>();
        services.Replace(ServiceDescriptor.Scoped<ISlotCapacity, RedisSlotCapacity>());
        services.AddSingleton<RedisSlotRepair>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisSlotRepair>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return services;
    }
}

/// <summary>Readiness: Redis answers a PING, unless the feature RedisSlotStore takes it out of the path.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis, IFeatureManager? features = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Switched off (Redis misbehaving, say), holds do not need it: the instance stays ready.
        if (features is not null && !await features.IsEnabledAsync(GroceryFeatures.RedisSlotStore))
        {
            return HealthCheckResult.Healthy("Bypassed: the RedisSlotStore feature is off");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer", exception);
        }
    }
}
