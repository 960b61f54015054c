using System.Globalization;
using System.Text.Json;
using Grocery.Workflows.Contracts;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>
/// Reads MoMo's IPN: a JSON body whose <c>signature</c> is the HMAC-SHA256, under the partner's secret key, of its
/// fields (accessKey, amount, extraData, message, orderId, orderInfo, orderType, partnerCode, payType, requestId,
/// responseTime, resultCode, transId) sorted by name. Result 9000 is a hold the customer approved; 1003 a hold
/// cancelled after approval; 0 a completed payment (known to the engine) and 1000, 7000, 7002, 8000 a payment still
/// pending (nothing to do); anything else a refusal.
/// </summary>
public sealed class MoMoWebhook(IOptions<MoMoSettings> options, TimeProvider time) : IPaymentWebhook
{
    private static readonly string[] Signed =
        ["amount", "extraData", "message", "orderId", "orderInfo", "orderType", "partnerCode", "payType", "requestId", "responseTime", "resultCode", "transId"];

    /// <summary>MoMo expects 204 No Content once the IPN is taken.</summary>
    public bool AnswersNoContent => true;

    /// <summary>The IPN carries its signature in its body; no header is read.</summary>
    public PaymentNotification Read(string body, Func<string, string> header) => Read(body);

    private PaymentNotification Read(string body)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.SecretKey) || string.IsNullOrEmpty(settings.AccessKey))
        {
            throw new PaymentNotificationRejectedException("MoMo IPNs are refused: MoMo is not configured here.");
        }

        JsonElement ipn;
        try
        {
            ipn = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException e)
        {
            throw new PaymentNotificationRejectedException("The MoMo IPN is not JSON: " + e.Message);
        }

        if (ipn.ValueKind != JsonValueKind.Object)
        {
            throw new PaymentNotificationRejectedException("The MoMo IPN is not a JSON object.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["accessKey"] = settings.AccessKey };
        foreach (var name in Signed)
        {
            fields[name] = ipn.TryGetProperty(name, out var value)
                ? AsSigned(value)
                : throw new PaymentNotificationRejectedException($"The MoMo IPN has no '{name}'.");
        }

        var signature = ipn.TryGetProperty("signature", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : null;
        if (!MoMoSignature.Matches(MoMoSignature.Sign(settings.SecretKey, fields), signature))
        {
            throw new PaymentNotificationRejectedException("The MoMo IPN signature does not match.");
        }

        if (fields["partnerCode"] != settings.PartnerCode)
        {
            throw new PaymentNotificationRejectedException($"The MoMo IPN is for partner '{fields["partnerCode"]}', not this one.");
        }

        // Compared as milliseconds: a time no DateTimeOffset can hold (long.MinValue) is outside the window too, not a 500.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var tolerance = (long)settings.IpnTolerance.TotalMilliseconds;
        if (!long.TryParse(fields["responseTime"], CultureInfo.InvariantCulture, out var sent) || sent < now - tolerance || sent > now + tolerance)
        {
            throw new PaymentNotificationRejectedException($"The MoMo IPN's responseTime {fields["responseTime"]} is outside {settings.IpnTolerance} of now.");
        }

        if (!int.TryParse(fields["resultCode"], CultureInfo.InvariantCulture, out var code)
            || !long.TryParse(fields["amount"], CultureInfo.InvariantCulture, out var amount))
        {
            throw new PaymentNotificationRejectedException("The MoMo IPN's resultCode or amount is not a number.");
        }

        var orderId = fields["orderId"];
        var kind = code switch
        {
            9000 => PaymentNotificationKind.Approved,
            // 0: captured (the engine knows); 1000, 7000, 7002, 8000: still waiting for the customer or the bank.
            0 or 1000 or 7000 or 7002 or 8000 => PaymentNotificationKind.Ignored,
            // Cancelled after it was authorized (MoMo's own timeout, or a cancel): the hold is gone.
            1003 => PaymentNotificationKind.AuthorizationCancelled,
            _ => PaymentNotificationKind.ApprovalRefused,
        };
        // MoMo sends one IPN per outcome of a payment: the payment and its result code name the event.
        return new PaymentNotification(MoMoProvider.Name, $"{orderId}:{code}", $"ipn {code}", kind, MoMoIds.OrderOf(orderId), orderId,
            $"momo_{code}: {fields["message"]}", new Money(amount, MoMoProvider.Currency), time.GetUtcNow() + settings.HoldDuration);
    }

    // MoMo signs a string field as its text and a number as it was written.
    private static string AsSigned(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
