using Grocery.Workflows.Consumers.Delivery;
using Grocery.Workflows.Persistence.Telemetry;

namespace Grocery.Workflows.Host.Telemetry;

/// <summary>Counts every courier provider call by provider, operation and outcome (<c>courier_calls_total</c>).</summary>
internal sealed class MeteredCourierGateway : ICourierGateway
{
    private readonly ICourierGateway _inner;

    /// <summary>The provider's series are published at 0 from the start, so that rates and increase() see the first call.</summary>
    public MeteredCourierGateway(ICourierGateway inner)
    {
        _inner = inner;
        foreach (var operation in new[] { "quote", "book", "get", "cancel" })
        {
            foreach (var outcome in new[] { "ok", "refused", "error" })
            {
                WorkflowMetrics.CourierCalls.WithLabels(inner.Provider, operation, outcome);
            }
        }
    }

    public string Provider => _inner.Provider;

    public Task<CourierQuote> Quote(CourierJob job, CancellationToken cancellationToken) =>
        Count("quote", () => _inner.Quote(job, cancellationToken), q => q.Refusal is null);

    public Task<CourierBooking> Book(CourierJob job, bool retry, CancellationToken cancellationToken) =>
        Count("book", () => _inner.Book(job, retry, cancellationToken), b => b.Succeeded);

    public Task<CourierBookingStatus?> Get(string deliveryId, CancellationToken cancellationToken) =>
        Count("get", () => _inner.Get(deliveryId, cancellationToken), s => s is not null);

    public Task<bool> Cancel(string deliveryId, CancellationToken cancellationToken) =>
        Count("cancel", () => _inner.Cancel(deliveryId, cancellationToken), cancelled => cancelled);

    private async Task<T> Count<T>(string operation, Func<Task<T>> call, Func<T, bool> ok)
    {
        try
        {
            var result = await call();
            WorkflowMetrics.CourierCalls.WithLabels(_inner.Provider, operation, ok(result) ? "ok" : "refused").Inc();
            return result;
        }
        catch (Exception)
        {
            WorkflowMetrics.CourierCalls.WithLabels(_inner.Provider, operation, "error").Inc();
            throw;
        }
    }
}
