using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Payments.Sandbox;

/// <summary>
/// The embedded default provider (<c>payment.provider = "sandbox"</c>): it moves no money and says so in every id it
/// returns (<c>sandbox_...</c>). Ids are a digest of the idempotency key, so a retried step gets the same answer.
/// Tokens: <c>tok_success</c> authorizes; <c>tok_decline</c> and <c>tok_insufficient_funds</c> are declined;
/// <c>tok_expire_hold</c> authorizes with a hold that has already lapsed, so the capture must authorize again;
/// <c>tok_provider_error</c> fails technically every time, as a provider answering 5xx would (the message ends in the
/// error queue). Any other token is declined.
/// </summary>
public sealed class SandboxPaymentGateway(TimeProvider time) : IPaymentGateway
{
    /// <summary>How long a sandbox hold lasts: as long as a card authorization.</summary>
    public static readonly TimeSpan HoldDuration = TimeSpan.FromDays(7);

    public string Provider => SandboxProvider.Name;

    public Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var now = time.GetUtcNow();
        return token switch
        {
            "tok_provider_error" => throw new HttpRequestException("Sandbox provider error (tok_provider_error): the provider answered 503"),
            "tok_success" => Task.FromResult(PaymentResult.Ok("sandbox_auth_" + Id(call), now + HoldDuration)),
            "tok_expire_hold" => Task.FromResult(PaymentResult.Ok("sandbox_auth_" + Id(call),
                call.IdempotencyKey.EndsWith("-authorize-1", StringComparison.Ordinal) ? now : now + HoldDuration)),
            "tok_decline" => Task.FromResult(PaymentResult.Refused("card_declined")),
            "tok_insufficient_funds" => Task.FromResult(PaymentResult.Refused("insufficient_funds")),
            _ => Task.FromResult(PaymentResult.Refused("unknown sandbox token")),
        };
    }

    public Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Task.FromResult(PaymentResult.Ok("sandbox_capture_" + Id(call)));
    }

    public Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Id(PaymentCall call) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(call.IdempotencyKey)))[..24];

    public Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Task.FromResult(PaymentResult.Ok("sandbox_refund_" + Id(call)));
    }
}
