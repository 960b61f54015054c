using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// The embedded default provider: a sandbox that moves no money and says so in every id it returns (<c>sandbox_...</c>).
/// Tokens: <c>tok_success</c> authorizes; <c>tok_decline</c> and <c>tok_insufficient_funds</c> are declined;
/// <c>tok_expire_hold</c> authorizes (its early lapse is exercised by the payments work); <c>tok_provider_error</c>
/// fails technically every time, as a provider answering 5xx would (the message ends in the error queue).
/// Any other token is declined.
/// </summary>
public sealed class SandboxPaymentGateway : IPaymentGateway
{
    public Task<PaymentResult> Authorize(Guid orderId, string token, Money amount, CancellationToken cancellationToken) =>
        token == "tok_provider_error"
            ? throw new HttpRequestException("Sandbox provider error (tok_provider_error): the provider answered 503")
            : Task.FromResult(token switch
        {
            "tok_success" or "tok_expire_hold" => PaymentResult.Ok($"sandbox_auth_{orderId:N}"),
            "tok_decline" => PaymentResult.Refused("card_declined"),
            "tok_insufficient_funds" => PaymentResult.Refused("insufficient_funds"),
            _ => PaymentResult.Refused("unknown sandbox token"),
        });

    public Task<PaymentResult> Capture(Guid orderId, string authorizationId, Money amount, CancellationToken cancellationToken) =>
        Task.FromResult(PaymentResult.Ok($"sandbox_capture_{orderId:N}"));

    public Task Void(Guid orderId, string authorizationId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<PaymentResult> Refund(Guid orderId, string captureId, Money amount, CancellationToken cancellationToken) =>
        Task.FromResult(PaymentResult.Ok($"sandbox_refund_{orderId:N}"));
}
