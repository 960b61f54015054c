namespace Grocery.Workflows.Persistence.Outbox;

/// <summary>
/// Wakes the dispatcher of this process as soon as a transaction with outbox rows commits, so that delivery does
/// not wait for the next poll. Other processes find the rows by polling.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up delivers everything that is due.
        }
    }

    public Task<bool> Wait(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// SQLite has one writer at a time; writers of this process queue here instead of failing with SQLITE_BUSY.
/// PostgreSQL needs no gate.
/// </summary>
public sealed class WriteGate(bool serialize) : IDisposable
{
    private readonly SemaphoreSlim? _gate = serialize ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<IDisposable?> Enter(CancellationToken cancellationToken)
    {
        if (_gate is null)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken);
        return new Release(_gate);
    }

    public void Dispose() => _gate?.Dispose();

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
