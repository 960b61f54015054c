namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// The outcome of a provider call: the provider's id for what it did, or its refusal (a business answer, e.g.
/// <c>card_declined</c>). An authorization also says until when the hold lasts, or that it waits for the customer to
/// approve it in the provider's app (<see cref="ApprovalUrl"/>; the provider reports the answer by webhook).
/// </summary>
public sealed record PaymentResult(bool Succeeded, string? ProviderId, string? Refusal, DateTimeOffset? HoldExpiresAt = null, string? ApprovalUrl = null)
{
    public bool AwaitsApproval => ApprovalUrl is not null;

    public static PaymentResult Ok(string providerId, DateTimeOffset? holdExpiresAt = null) => new(true, providerId, null, holdExpiresAt);

    public static PaymentResult Refused(string reason) => new(false, null, reason);

    public static PaymentResult Pending(string providerId, string approvalUrl) => new(false, providerId, null, null, approvalUrl);
}
