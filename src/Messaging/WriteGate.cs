namespace Grocery.Workflows.Messaging;

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
