namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// Wakes the dispatcher of this process as soon as a transaction with outbox rows commits, so that delivery does
/// not wait for the next poll. Other processes find the rows by polling.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private int _pending;

    /// <summary>Cheap when already signalled (every commit calls it): one wake-up delivers everything that is due.</summary>
    public void Notify()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _signal.Release();
        }
    }

    public async Task<bool> Wait(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signalled = await _signal.WaitAsync(timeout, cancellationToken);
        if (signalled)
        {
            // Cleared before the delivery that follows: a commit from now on wakes the next wait.
            Volatile.Write(ref _pending, 0);
        }

        return signalled;
    }

    public void Dispose() => _signal.Dispose();
}
