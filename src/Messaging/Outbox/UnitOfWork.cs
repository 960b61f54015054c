using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// The commit step of work that starts outside a consumer (an API request, a job): the changes tracked by the scoped
/// context and the messages published through it are saved in one transaction, under the write gate, and the
/// dispatcher is woken once they are committed. A consumer needs none of this: its transaction is the endpoint's.
/// </summary>
public sealed class UnitOfWork(MessagingDbContext db, OutboxWriter outbox, OutboxSignal signal, WriteGate gate)
{
    /// <summary>Publishes <paramref name="message"/> with the next commit: it leaves if and only if the commit succeeds.</summary>
    public Guid Publish<T>(T message)
        where T : class => outbox.Publish(message);

    /// <summary>
    /// Saves everything tracked and published so far in one transaction, then wakes the dispatcher. On failure nothing
    /// is saved, the tracked changes are forgotten (so the caller may read again) and the exception is rethrown.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            using (await gate.Enter(cancellationToken))
            {
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }

        signal.Notify();
    }

    /// <summary>
    /// Runs <paramref name="work"/>, whose reads must see what it decides on (a check, then a change), in one transaction
    /// under the write gate, saves what it tracked and published, commits and wakes the dispatcher. When it throws,
    /// or the commit fails, nothing is saved and the tracked changes are forgotten.
    /// </summary>
    public Task<TResult> InTransactionAsync<TResult>(Func<CancellationToken, Task<TResult>> work, CancellationToken cancellationToken) =>
        InTransactionAsync(work, keep: _ => true, cancellationToken);

    /// <summary>
    /// As <see cref="InTransactionAsync{TResult}(Func{CancellationToken, Task{TResult}}, CancellationToken)"/>, but the work's
    /// result decides: when <paramref name="keep"/> says no (a refusal found inside the transaction), everything the work
    /// did, written or pending, is rolled back and the result returned.
    /// </summary>
    public async Task<TResult> InTransactionAsync<TResult>(Func<CancellationToken, Task<TResult>> work, Func<TResult, bool> keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(keep);
        TResult result;
        try
        {
            using (await gate.Enter(cancellationToken))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                result = await work(cancellationToken);
                if (!keep(result))
                {
                    await transaction.RollbackAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                    return result;
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }

        signal.Notify();
        return result;
    }
}
