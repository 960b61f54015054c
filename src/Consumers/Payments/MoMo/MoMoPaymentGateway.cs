using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Contracts;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>
/// The MoMo e-wallet through MoMo's payment API (v2), called directly (<c>payment.provider = "momo"</c>,
/// <c>payment.token = "wallet"</c>). An authorization is a <c>captureWallet</c> payment with <c>autoCapture=false</c>:
/// the customer approves it in the MoMo app (its <c>payUrl</c>), MoMo's IPN reports the hold (result 9000), and
/// <c>confirm</c> captures (the whole hold) or cancels it; <c>refund</c> gives money back. Every request is signed (HMAC-SHA256) and
/// carries a <c>requestId</c> derived from the step; a step retried after a lost answer finds its first outcome
/// through <c>query</c>. Amounts are VND.
/// </summary>
public sealed class MoMoPaymentGateway(HttpClient http, IOptions<MoMoSettings> options) : IPaymentGateway
{
    public const long MinimumAmount = 1_000;
    public const long MaximumAmount = 50_000_000;

    // Result codes of MoMo's API: success, authorized (held, waiting for confirm), and "this request id or order id
    // was used already" (a retry of a step whose answer was lost).
    private const int Success = 0;
    private const int Authorized = 9000;
    private const int InProgress = 7000;
    private static readonly int[] Duplicate = [40, 41];

    private readonly MoMoSettings _settings = options.Value;

    public string Provider => MoMoProvider.Name;

    /// <summary>MoMo's confirm takes the authorized amount only (result 22 otherwise).</summary>
    public bool CapturesWholeHoldOnly => true;

    public async Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(amount);
        if (amount.Currency != MoMoProvider.Currency || amount.Amount is < MinimumAmount or > MaximumAmount)
        {
            return PaymentResult.Refused($"MoMo takes {MinimumAmount} to {MaximumAmount} VND; this is {amount}");
        }

        var id = MoMoIds.Of(call);
        var answer = await Post("/v2/gateway/api/create", new Dictionary<string, string>
        {
            ["partnerCode"] = _settings.PartnerCode!, ["requestId"] = id, ["orderId"] = id, ["amount"] = Number(amount.Amount),
            ["orderInfo"] = $"Grocery order {call.OrderId}", ["redirectUrl"] = _settings.RedirectUrl!, ["ipnUrl"] = _settings.IpnUrl!,
            ["requestType"] = "captureWallet", ["extraData"] = "",
        }, ["accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode", "redirectUrl", "requestId", "requestType"],
            new Dictionary<string, object> { ["autoCapture"] = false, ["lang"] = "en" }, cancellationToken);
        var code = answer.GetProperty("resultCode").GetInt32();
        if (code == Success && answer.TryGetProperty("payUrl", out var payUrl) && payUrl.GetString() is { Length: > 0 } url)
        {
            return PaymentResult.Pending(id, url);
        }

        if (Duplicate.Contains(code))
        {
            // Created by an earlier attempt whose answer was lost: its payUrl went with it, the customer's approval did not.
            var status = await Query(id, cancellationToken);
            return status.Code switch
            {
                Authorized => PaymentResult.Ok(id, DateTimeOffset.UtcNow + _settings.HoldDuration),
                1000 or 7000 or 7002 => PaymentResult.Pending(id, $"{_settings.Endpoint.TrimEnd('/')}/ (approval already requested for {id})"),
                _ => PaymentResult.Refused(status.Reason),
            };
        }

        return PaymentResult.Refused(Reason(answer));
    }

    public async Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(amount);
        var answer = await Confirm(call, authorizationId, "capture", amount.Amount, "Picked total", cancellationToken);
        var code = answer.GetProperty("resultCode").GetInt32();
        if (code == Success)
        {
            return PaymentResult.Ok(TransactionId(answer));
        }

        if (Duplicate.Contains(code))
        {
            var status = await Query(authorizationId, cancellationToken);
            return status.Code == Success && status.TransactionId is { } transaction ? PaymentResult.Ok(transaction) : PaymentResult.Refused(status.Reason);
        }

        return PaymentResult.Refused(Reason(answer));
    }

    public async Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var held = amount ?? throw new InvalidOperationException($"Cannot cancel MoMo payment {authorizationId}: the ledger does not know its amount.");
        var answer = await Confirm(call, authorizationId, "cancel", held.Amount, "Order cancelled", cancellationToken);
        var code = answer.GetProperty("resultCode").GetInt32();
        if (code == Success)
        {
            return;
        }

        // Cancelled already, never approved, or expired: nothing is held.
        var status = await Query(authorizationId, cancellationToken);
        if (status.Code is not (Authorized or Success))
        {
            return;
        }

        throw new InvalidOperationException($"MoMo would not cancel payment {authorizationId}: {Reason(answer)}");
    }

    public async Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(amount);
        var id = MoMoIds.Of(call);
        var answer = await Post("/v2/gateway/api/refund", new Dictionary<string, string>
        {
            ["partnerCode"] = _settings.PartnerCode!, ["orderId"] = id, ["requestId"] = id, ["amount"] = Number(amount.Amount),
            ["transId"] = captureId, ["description"] = "Delivery failed",
        }, ["accessKey", "amount", "description", "orderId", "partnerCode", "requestId", "transId"],
            new Dictionary<string, object> { ["lang"] = "en" }, cancellationToken);
        var code = answer.GetProperty("resultCode").GetInt32();
        if (code == Success)
        {
            return PaymentResult.Ok(TransactionId(answer));
        }

        return Duplicate.Contains(code)
            ? throw new InvalidOperationException($"MoMo refund {id} was sent before and its outcome is unknown here; check it in the MoMo portal.")
            : PaymentResult.Refused(Reason(answer));
    }

    private Task<JsonElement> Confirm(PaymentCall call, string authorizationId, string requestType, long amount, string description,
        CancellationToken cancellationToken) =>
        Post("/v2/gateway/api/confirm", new Dictionary<string, string>
        {
            ["partnerCode"] = _settings.PartnerCode!, ["requestId"] = MoMoIds.Of(call), ["orderId"] = authorizationId, ["requestType"] = requestType,
            ["amount"] = Number(amount), ["description"] = description,
        }, ["accessKey", "amount", "description", "orderId", "partnerCode", "requestId", "requestType"],
            new Dictionary<string, object> { ["lang"] = "en" }, cancellationToken);

    private async Task<(int Code, string Reason, string? TransactionId)> Query(string orderId, CancellationToken cancellationToken)
    {
        var answer = await Post("/v2/gateway/api/query", new Dictionary<string, string>
        {
            ["partnerCode"] = _settings.PartnerCode!, ["requestId"] = Guid.NewGuid().ToString("N"),
            ["orderId"] = orderId,
        }, ["accessKey", "orderId", "partnerCode", "requestId"], new Dictionary<string, object> { ["lang"] = "en" }, cancellationToken);
        return (answer.GetProperty("resultCode").GetInt32(), Reason(answer),
            answer.TryGetProperty("transId", out var transaction) && transaction.ValueKind == JsonValueKind.Number ? TransactionId(answer) : null);
    }

    /// <summary>Signs and posts; a transport failure or a 5xx throws (the step is retried with the same request id).</summary>
    private async Task<JsonElement> Post(string path, Dictionary<string, string> fields, string[] signed, Dictionary<string, object> unsigned,
        CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, string>(fields) { ["accessKey"] = _settings.AccessKey! };
        var body = new Dictionary<string, object>(unsigned);
        foreach (var (key, value) in fields)
        {
            body[key] = key is "amount" or "transId" ? long.Parse(value, CultureInfo.InvariantCulture) : value;
        }

        body["signature"] = MoMoSignature.Sign(_settings.SecretKey!, signed.Select(k => new KeyValuePair<string, string>(k, all[k])));
        using var response = await http.PostAsJsonAsync(new Uri(_settings.Endpoint.TrimEnd('/') + path), body, cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"MoMo answered {(int)response.StatusCode} to {path}", null, response.StatusCode);
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("resultCode", out var code) || code.ValueKind != JsonValueKind.Number)
        {
            throw new HttpRequestException($"MoMo answered {(int)response.StatusCode} to {path} without a resultCode");
        }

        if (code.GetInt32() == InProgress)
        {
            // The same request id is still being processed (MoMo answers 422/7000): ask again later, with the same id.
            throw new HttpRequestException($"MoMo is still processing {fields["requestId"]} ({path}); retrying");
        }

        return answer;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string TransactionId(JsonElement answer) => answer.GetProperty("transId").GetInt64().ToString(CultureInfo.InvariantCulture);

    private static string Reason(JsonElement answer) =>
        $"momo_{answer.GetProperty("resultCode").GetInt32()}" + (answer.TryGetProperty("message", out var message) ? ": " + message.GetString() : "");
}

/// <summary>
/// MoMo's ids (order and request id, at most 50 characters): the order's id (32 hex digits) first, so an IPN finds its
/// order, then the step; a step too long for that is shortened to a digest of it, the same on every retry.
/// </summary>
public static class MoMoIds
{
    public static string Of(PaymentCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.IdempotencyKey.Length <= 50
            ? call.IdempotencyKey
            : $"{call.OrderId:N}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(call.IdempotencyKey)))[..17]}";
    }

    public static Guid? OrderOf(string momoOrderId) =>
        momoOrderId.Length >= 32 && Guid.TryParseExact(momoOrderId[..32], "N", out var orderId) ? orderId : null;
}
