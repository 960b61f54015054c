using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Payments;

/// <summary>
/// The payment ledger on EF Core, written in the consuming message's transaction. A row is saved at once, so the next
/// read of the same step sees it; on PostgreSQL, reading an order's position locks the order's payment until commit; a unique index on (order, kind, provider id) keeps a step from being recorded twice.
/// </summary>
public sealed class EfPaymentLedger(WorkflowDbContext db) : IPaymentLedger
{
    public async Task<PaymentPosition> Position(Guid orderId, CancellationToken cancellationToken)
    {
        if (db.SupportsSkipLocked && db.Database.CurrentTransaction is not null)
        {
            // One payment step of an order at a time (a refund and the provider's report of it, say), until commit.
            // SQLite needs no lock: its writers are serialized already.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({orderId.ToString()}, 20261126))", cancellationToken);
        }

        var rows = await db.PaymentLedger.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return new PaymentPosition([.. rows.Select(ToEntry)]);
    }

    public async Task Append(Guid orderId, PaymentEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var position = await Position(orderId, cancellationToken);
        if (position.Contains(entry.Kind, entry.ProviderId))
        {
            return;
        }

        position.EnsureAllowed(entry);
        db.PaymentLedger.Add(new PaymentLedgerRow
        {
            OrderId = orderId, Kind = entry.Kind, Provider = entry.Provider, ProviderId = entry.ProviderId, ParentId = entry.ParentId,
            Amount = entry.Amount.Amount, Currency = entry.Amount.Currency, At = entry.At, HoldExpiresAt = entry.HoldExpiresAt, Note = entry.Note,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public static PaymentEntry ToEntry(PaymentLedgerRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.Kind, row.Provider, row.ProviderId, row.ParentId, new Money(row.Amount, row.Currency), row.At, row.HoldExpiresAt, row.Note);
    }
}
