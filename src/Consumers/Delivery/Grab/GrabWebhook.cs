using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Delivery.Grab;

/// <summary>
/// Reads Grab's delivery status webhook. Grab signs nothing: it sends back, in the <c>Authorization</c> header (and
/// <c>Authorization-Id</c>, if one was agreed), the credentials the grocer gave GrabExpress Tech Support with the
/// webhook's URL; both are compared whole, in constant time. The body names the delivery, the merchant order id (the
/// order and attempt), the status and its time (Unix seconds), the driver and the tracking link.
/// </summary>
public sealed class GrabWebhook(IOptions<GrabSettings> options)
{
    public CourierUpdate Read(string body, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret))
        {
            throw new CourierUpdateRejectedException("Grab webhooks are refused: Grab:WebhookSecret is not configured here.");
        }

        if (!Same(header("Authorization"), settings.WebhookSecret)
            || (!string.IsNullOrEmpty(settings.WebhookId) && !Same(header("Authorization-Id"), settings.WebhookId)))
        {
            throw new CourierUpdateRejectedException("The Grab webhook's Authorization does not match the credentials agreed with Grab.");
        }

        JsonElement hook;
        try
        {
            hook = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CourierUpdateRejectedException("The Grab webhook is not JSON: " + e.Message);
        }

        var deliveryId = Text(hook, "deliveryID") ?? throw new CourierUpdateRejectedException("The Grab webhook has no deliveryID.");
        var merchantOrderId = Text(hook, "merchantOrderID");
        var (orderId, attempt) = CourierJob.Parse(merchantOrderId)
            ?? throw new CourierUpdateRejectedException($"The Grab webhook's merchantOrderID '{merchantOrderId}' is not one this engine gave.");
        var statusText = Text(hook, "status");
        var status = GrabStatuses.Of(statusText) ?? throw new CourierUpdateRejectedException($"The Grab webhook's status '{statusText}' is not one Grab documents.");
        if (!hook.TryGetProperty("timestamp", out var stamp) || stamp.ValueKind != JsonValueKind.Number || !stamp.TryGetInt64(out var seconds)
            || seconds is < 0 or > 253402300799)
        {
            throw new CourierUpdateRejectedException("The Grab webhook has no timestamp (Unix seconds).");
        }

        string? courier = null;
        if (hook.TryGetProperty("driver", out var driver) && driver.ValueKind == JsonValueKind.Object)
        {
            courier = GrabStatuses.CourierName(Text(driver, "name"), Text(driver, "licensePlate"));
        }

        var reason = Text(hook, "failedReason") ?? (status == CourierStatus.Cancelled ? "cancelled at Grab" : null);
        return new CourierUpdate(GrabExpressGateway.ProviderName, $"{deliveryId}:{statusText!.ToUpperInvariant()}:{seconds}", deliveryId, orderId, attempt, status,
            DateTimeOffset.FromUnixTimeSeconds(seconds), courier, Text(hook, "trackURL"), reason is null ? null : reason[..Math.Min(reason.Length, 200)]);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 and <= 512 } text
            ? text
            : null;

    private static bool Same(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
