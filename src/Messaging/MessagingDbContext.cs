using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Messaging.Inbox;
using Grocery.Workflows.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Messaging;

/// <summary>
/// What messaging needs of the engine's database: the outbox, the inbox and the failed messages, and the saga tables
/// the derived context maps. The derived context names every column in snake_case, which the SQL written here by
/// hand (the dispatcher's claim, the saga repository's lock) relies on.
/// </summary>
public abstract class MessagingDbContext : DbContext
{
    protected MessagingDbContext(DbContextOptions options)
        : base(options)
    {
        // Every write runs in one transaction per message that is rolled back whole on failure, so EF's savepoint
        // around each SaveChanges (two more round trips each time) buys nothing.
        Database.AutoSavepointsEnabled = false;
    }

    /// <summary>Shadow columns every saga table has: when the row last changed, and since when it is in its state.</summary>
    public const string UpdatedAt = nameof(UpdatedAt);

    public const string StateEnteredAt = nameof(StateEnteredAt);

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();
    public DbSet<FailedMessage> FailedMessages => Set<FailedMessage>();

    /// <summary>The dispatcher claims rows, and the saga repository locks instances, with <c>FOR UPDATE (SKIP LOCKED)</c>.</summary>
    public abstract bool SupportsSkipLocked { get; }

    /// <summary>
    /// What the saga repository puts on the saga pipe, so that an observer of transitions writes into this context and
    /// so commits or rolls back with the state change: the context itself unless the derived context says otherwise.
    /// </summary>
    protected internal virtual object SagaPipePayload => this;

    /// <summary>
    /// Called once the transaction of a consumed message has committed, with its changes still tracked: counters of
    /// committed facts count a retried message once.
    /// </summary>
    protected internal virtual void MessageCommitted()
    {
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MessagingDbContext).Assembly);
    }
}
