using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Payments;

public enum PaymentEntryKind
{
    Authorization,
    Capture,
    Void,
    Refund,

    /// <summary>An authorization asked of the customer in the provider's app; the note is the approval URL.</summary>
    ApprovalRequested,
}

/// <summary>
/// One line of an order's payment ledger. <paramref name="ProviderId"/> is the provider's id of what happened (an
/// authorization, capture or refund id); <paramref name="ParentId"/> the id it applies to (the authorization a
/// capture or void is of, the capture a refund is of).
/// </summary>
public sealed record PaymentEntry(
    PaymentEntryKind Kind,
    string Provider,
    string ProviderId,
    string? ParentId,
    Money Amount,
    DateTimeOffset At,
    DateTimeOffset? HoldExpiresAt = null,
    string? Note = null)
{
    /// <summary>The line that releases this hold (an authorization or an approval request).</summary>
    public PaymentEntry Voided(DateTimeOffset at, string? note = null) => new(PaymentEntryKind.Void, Provider, ProviderId, ProviderId, Amount, at, Note: note);
}

/// <summary>A step the ledger refuses: it would break captured &lt;= authorized, refunded &lt;= captured, or capture without a hold.</summary>
public sealed class PaymentInvariantViolationException(string message) : InvalidOperationException(message);

/// <summary>
/// An order's payment as its ledger tells it, and the rules every new line must keep: a capture needs an open
/// authorization (not voided, not captured) and at most its amount; a refund at most what its capture has left.
/// </summary>
public sealed class PaymentPosition(IReadOnlyList<PaymentEntry> entries)
{
    public IReadOnlyList<PaymentEntry> Entries { get; } = entries;

    public IEnumerable<PaymentEntry> Authorizations => Entries.Where(e => e.Kind == PaymentEntryKind.Authorization);

    /// <summary>How many authorizations were asked for, approved or not: the next one is attempt this plus one.</summary>
    public int AuthorizationAttempts =>
        Entries.Where(e => e.Kind is PaymentEntryKind.Authorization or PaymentEntryKind.ApprovalRequested).Select(e => e.ProviderId).Distinct().Count();

    public PaymentEntry? ApprovalRequest(string authorizationId) =>
        Entries.FirstOrDefault(e => e.Kind == PaymentEntryKind.ApprovalRequested && e.ProviderId == authorizationId);

    /// <summary>The approval URL of an authorization still waiting for the customer.</summary>
    public string? PendingApprovalUrl =>
        Entries.LastOrDefault(e => e.Kind == PaymentEntryKind.ApprovalRequested && Authorization(e.ProviderId) is null && !IsVoided(e.ProviderId))?.Note;

    public PaymentEntry? Authorization(string authorizationId) =>
        Entries.FirstOrDefault(e => e.Kind == PaymentEntryKind.Authorization && e.ProviderId == authorizationId);

    public PaymentEntry? CaptureOf(string authorizationId) =>
        Entries.FirstOrDefault(e => e.Kind == PaymentEntryKind.Capture && e.ParentId == authorizationId);

    public PaymentEntry? Capture(string captureId) =>
        Entries.FirstOrDefault(e => e.Kind == PaymentEntryKind.Capture && e.ProviderId == captureId);

    public bool IsVoided(string authorizationId) => Entries.Any(e => e.Kind == PaymentEntryKind.Void && e.ParentId == authorizationId);

    /// <summary>Authorized, not voided, not captured: money is held and can be taken.</summary>
    public bool IsOpen(string authorizationId) =>
        Authorization(authorizationId) is not null && !IsVoided(authorizationId) && CaptureOf(authorizationId) is null;

    public PaymentEntry? LatestOpenAuthorization => Authorizations.LastOrDefault(a => IsOpen(a.ProviderId));

    public long Held => Authorizations.Where(a => IsOpen(a.ProviderId)).Sum(a => a.Amount.Amount);

    public long Captured => Sum(PaymentEntryKind.Capture);

    public long Refunded => Sum(PaymentEntryKind.Refund);

    /// <summary>What a capture has left to refund (0 for a capture the ledger does not know).</summary>
    public long LeftOf(string captureId) => (Capture(captureId)?.Amount.Amount ?? 0) - RefundedOf(captureId);

    public long RefundedOf(string captureId) =>
        Entries.Where(e => e.Kind == PaymentEntryKind.Refund && e.ParentId == captureId).Sum(e => e.Amount.Amount);

    public bool Contains(PaymentEntryKind kind, string providerId) => Entries.Any(e => e.Kind == kind && e.ProviderId == providerId);

    /// <summary>Throws <see cref="PaymentInvariantViolationException"/> when <paramref name="entry"/> may not follow the lines so far.</summary>
    public void EnsureAllowed(PaymentEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Amount.Amount < 0)
        {
            throw new PaymentInvariantViolationException($"A {entry.Kind} of {entry.Amount} is negative.");
        }

        switch (entry.Kind)
        {
            case PaymentEntryKind.Capture:
                var authorization = Authorization(entry.ParentId ?? "")
                    ?? throw new PaymentInvariantViolationException($"Capture {entry.ProviderId} has no authorization {entry.ParentId} to capture from.");
                if (IsVoided(authorization.ProviderId))
                {
                    throw new PaymentInvariantViolationException($"Authorization {authorization.ProviderId} was voided; it cannot be captured.");
                }

                if (CaptureOf(authorization.ProviderId) is not null)
                {
                    throw new PaymentInvariantViolationException($"Authorization {authorization.ProviderId} was already captured.");
                }

                if (entry.Amount.Amount > authorization.Amount.Amount || entry.Amount.Currency != authorization.Amount.Currency)
                {
                    throw new PaymentInvariantViolationException($"Capture of {entry.Amount} exceeds authorization {authorization.ProviderId} of {authorization.Amount}.");
                }

                break;
            case PaymentEntryKind.Void:
                if (Authorization(entry.ParentId ?? "") is null && ApprovalRequest(entry.ParentId ?? "") is null)
                {
                    throw new PaymentInvariantViolationException($"Void of {entry.ParentId}: there is no such authorization.");
                }

                if (CaptureOf(entry.ParentId!) is not null)
                {
                    throw new PaymentInvariantViolationException($"Authorization {entry.ParentId} was captured; refund it instead of voiding it.");
                }

                break;
            case PaymentEntryKind.Refund:
                var capture = Capture(entry.ParentId ?? "")
                    ?? throw new PaymentInvariantViolationException($"Refund {entry.ProviderId} has no capture {entry.ParentId} to refund.");
                if (entry.Amount.Currency != capture.Amount.Currency || entry.Amount.Amount > LeftOf(capture.ProviderId))
                {
                    throw new PaymentInvariantViolationException(
                        $"Refund of {entry.Amount} exceeds what capture {capture.ProviderId} has left ({LeftOf(capture.ProviderId)}).");
                }

                break;
        }
    }

    private long Sum(PaymentEntryKind kind) => Entries.Where(e => e.Kind == kind).Sum(e => e.Amount.Amount);
}
