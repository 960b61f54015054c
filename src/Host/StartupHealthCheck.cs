using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grocery.Workflows.Host;

/// <summary>
/// Healthy once the host has started: the migrations, the seed and every hosted service (the bus among them) have run
/// their start. Kubernetes' startup probe waits on it, so a long first migration is not mistaken for a hung process.
/// </summary>
public sealed class StartupHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested
            ? HealthCheckResult.Healthy("Started")
            : HealthCheckResult.Unhealthy("Still starting: migrations, seed or hosted services"));
}
