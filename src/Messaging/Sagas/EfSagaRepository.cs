using System.Runtime.CompilerServices;
using Grocery.Workflows.Sagas;
using MassTransit;
using MassTransit.Context;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Messaging.Sagas;

/// <summary>
/// Loads and saves saga instances with EF Core, in the DbContext of the message's scope, so that the state change
/// commits together with the outbox rows and timeline rows of the same transition (see <c>TransactionalOutboxFilter</c>).
/// Optimistic concurrency: every update increments <see cref="ISagaVersion.Version"/> and is conditional on the version
/// it read; a conflict throws and the endpoint's retry runs the message again on fresh state. On PostgreSQL the load
/// also locks the row (<c>FOR UPDATE</c>), so that events for one instance queue instead of conflicting.
/// </summary>
public sealed class EfSagaRepositoryContextFactory<TSaga>(IConsumeScopeProvider scopes, IServiceScopeFactory rootScopes, TimeProvider time) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, IGrocerySagaState
{
    private readonly SagaConsumeContextFactory<MessagingDbContext, TSaga> _sagaContexts = new();

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var scope = await scopes.GetScope(context);
        var db = scope.GetService<MessagingDbContext>();
        // Whoever owns the transaction saves before it commits: inside the transactional outbox the outbox, which has it
        // open already; at a bare endpoint this method, with a transaction of its own.
        var repository = new EfSagaRepositoryContext<TSaga, T>(db, scope.Context, _sagaContexts, time, savedByOwner: true);
        if (db.Database.CurrentTransaction is not null)
        {
            await next.Send(repository);
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        await next.Send(repository);
        await db.SaveChangesAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var scope = await scopes.GetScope(context);
        var db = scope.GetService<MessagingDbContext>();
        var instances = await db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repository = new EfSagaRepositoryContext<TSaga, T>(db, scope.Context, _sagaContexts, time, savedByOwner: false);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repository, instances));
    }

    public async Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var scope = rootScopes.CreateAsyncScope();
        return await asyncMethod(new EfSagaReadContext<TSaga>(scope.ServiceProvider.GetRequiredService<MessagingDbContext>(), cancellationToken));
    }

    public async Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var scope = rootScopes.CreateAsyncScope();
        return await asyncMethod(new EfSagaReadContext<TSaga>(scope.ServiceProvider.GetRequiredService<MessagingDbContext>(), cancellationToken));
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "grocery-ef-core");
}

internal sealed class EfSagaRepositoryContext<TSaga, TMessage>(
    MessagingDbContext db,
    ConsumeContext<TMessage> context,
    ISagaConsumeContextFactory<MessagingDbContext, TSaga> sagaContexts,
    TimeProvider time,
    bool savedByOwner) :
    ConsumeContextScope<TMessage>(context, db.SagaPipePayload),
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, IGrocerySagaState
    where TMessage : class
{
    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        sagaContexts.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        // A failed INSERT would abort the whole PostgreSQL transaction, so look before inserting; a racing insert
        // still fails on the primary key and the message is retried.
        if (await SagaQueries<TSaga>.For(db).Exists(db, instance.CorrelationId, CancellationToken))
        {
            return default!;
        }

        Stamp(db.Set<TSaga>().Add(instance).Entity, isNew: true);
        await db.SaveChangesAsync(CancellationToken);
        return await sagaContexts.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        // On PostgreSQL the row is locked as it is read: a second event for the same instance waits for this
        // transaction instead of reading the same version and failing its update (the version check stays).
        // SQLite has one writer at a time anyway.
        var instance = db.SupportsSkipLocked
            ? await db.Set<TSaga>().FromSqlRaw(LockStatement, correlationId)
                .SingleOrDefaultAsync(CancellationToken)
            : await SagaQueries<TSaga>.For(db).Load(db, correlationId, CancellationToken);
        return instance is null
            ? default!
            : await sagaContexts.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Load);
    }

    /// <summary>The table name comes from the model, never from input.</summary>
    private string LockStatement => string.Concat("SELECT * FROM ", db.Model.FindEntityType(typeof(TSaga))?.GetTableName()
        ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not mapped"), " WHERE correlation_id = {0} FOR UPDATE");

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Stamp(db.Set<TSaga>().Add(context.Saga).Entity, isNew: true);
        await db.SaveChangesAsync(CancellationToken);
    }

    /// <summary>
    /// Where the transaction's owner saves before commit (the transactional outbox, or <c>Send</c>'s own transaction),
    /// the update is left to that one save: a message that applies saga steps (InlineSteps) changes several instances,
    /// each written once, in one batch. An instance loaded again in the same transaction is the tracked one, with its
    /// changes.
    /// </summary>
    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Stamp(context.Saga, isNew: false);
        if (!savedByOwner)
        {
            await db.SaveChangesAsync(CancellationToken);
        }
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        db.Set<TSaga>().Remove(context.Saga);
        await db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        db.Entry(context.Saga).State = EntityState.Detached;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        sagaContexts.CreateSagaConsumeContext(db, consumeContext, instance, mode);

    private void Stamp(TSaga saga, bool isNew)
    {
        var entry = db.Entry(saga);
        var now = time.GetUtcNow();
        entry.Property(MessagingDbContext.UpdatedAt).CurrentValue = now;
        if (isNew)
        {
            saga.Version = 1;
            entry.Property(MessagingDbContext.StateEnteredAt).CurrentValue = now;
            return;
        }

        // The version read is the original value of the concurrency token: UPDATE ... WHERE version = @read (one update
        // for all the transitions of this transaction, however many).
        saga.Version++;
        var state = entry.Property(x => x.CurrentState);
        var entered = entry.Property(MessagingDbContext.StateEnteredAt);
        // A new state since the row was read; or back in the state it was read in, after another one in between.
        if (!string.Equals(state.OriginalValue, state.CurrentValue, StringComparison.Ordinal) || entered.IsModified)
        {
            entered.CurrentValue = now;
        }
    }
}

/// <summary>
/// The repository's look-ups by correlation id, compiled once per model: EF Core otherwise builds each query's expression
/// again, walks it for its parameters and hashes it for its cache on every message (some 3 % of the engine's CPU on
/// SQLite in a profile). Per model, because a compiled query refuses a context of another model (tests run several).
/// </summary>
internal sealed class SagaQueries<TSaga>
    where TSaga : class, IGrocerySagaState
{
    private static readonly ConditionalWeakTable<IModel, SagaQueries<TSaga>> ByModel = [];

    private readonly Func<MessagingDbContext, Guid, CancellationToken, Task<TSaga?>> _load =
        EF.CompileAsyncQuery((MessagingDbContext db, Guid correlationId, CancellationToken _) =>
            db.Set<TSaga>().SingleOrDefault(x => x.CorrelationId == correlationId));

    private readonly Func<MessagingDbContext, Guid, CancellationToken, Task<bool>> _exists =
        EF.CompileAsyncQuery((MessagingDbContext db, Guid correlationId, CancellationToken _) =>
            db.Set<TSaga>().Any(x => x.CorrelationId == correlationId));

    public static SagaQueries<TSaga> For(MessagingDbContext db) => ByModel.GetValue(db.Model, _ => new SagaQueries<TSaga>());

    /// <summary>The tracked instance, or <c>null</c>.</summary>
    public Task<TSaga?> Load(MessagingDbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        _load(db, correlationId, cancellationToken);

    public Task<bool> Exists(MessagingDbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        _exists(db, correlationId, cancellationToken);
}

internal sealed class EfSagaReadContext<TSaga>(MessagingDbContext db, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : class, IGrocerySagaState
{
    public Task<TSaga> Load(Guid correlationId) =>
        db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId).ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
