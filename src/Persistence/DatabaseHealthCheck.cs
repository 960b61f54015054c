using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grocery.Workflows.Persistence;

/// <summary>Readiness: the database answers.</summary>
public sealed class DatabaseHealthCheck(WorkflowDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database does not answer");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer", exception);
        }
    }
}
