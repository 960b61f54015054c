using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Persistence.Orders;

namespace Grocery.Workflows.Api.Orders;

/// <summary>
/// A POST /api/orders body as bound. Every member is <see cref="Sent{T}"/> and unknown members are kept, so that
/// <see cref="Validate"/> names every wrong field (missing, of the wrong type, out of range, unknown) at once rather
/// than the first one the binder met.
/// </summary>
public sealed record PlaceOrderRequest(
    Sent<string> CustomerId,
    Sent<string> StoreId,
    Sent<string> SlotId,
    Sent<List<Sent<LineRequest>>> Lines,
    Sent<PaymentRequest> Payment,
    Sent<string> SubstitutionPreference,
    Sent<DeliveryRequest> Delivery,
    Sent<string> Language)
{
    private static readonly IReadOnlyList<string> Known = JsonBody.MembersOf<PlaceOrderRequest>();
    private static readonly IReadOnlyList<string> KnownInPayment = JsonBody.MembersOf<PaymentRequest>();
    private static readonly IReadOnlyList<string> KnownInLine = JsonBody.MembersOf<LineRequest>();
    private static readonly IReadOnlyList<string> KnownInDelivery = JsonBody.MembersOf<DeliveryRequest>();

    /// <summary>Members the record does not name: each is refused by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }

    /// <summary>The order to place, or null with every wrong field in <paramref name="errors"/>.</summary>
    public static OrderToPlace? Validate(Sent<PlaceOrderRequest> sent, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!sent.TryGet(out var body))
        {
            errors["body"] = ["The body must be a JSON object."];
            return null;
        }

        // A misspelt field must not silently fall back to a default (a preference, a token).
        RefuseUnknown(body.Unknown, Known, "", errors);

        var customerId = Text(body.CustomerId, "customerId", 64, errors);
        var storeId = Text(body.StoreId, "storeId", 32, errors);
        var slot = Text(body.SlotId, "slotId", 64, errors);
        var slotId = Guid.Empty;
        if (slot is not null && !Guid.TryParse(slot, out slotId))
        {
            errors["slotId"] = ["slotId must be a slot id (a GUID) from GET /api/slots."];
        }

        string? provider = null, token = null;
        if (!body.Payment.TryGet(out var payment))
        {
            errors["payment"] = ["payment is required: {\"provider\": \"sandbox\", \"token\": \"tok_success\"}."];
        }
        else
        {
            RefuseUnknown(payment.Unknown, KnownInPayment, "payment.", errors);
            provider = Text(payment.Provider, "payment.provider", 32, errors)?.ToLowerInvariant();
            token = Text(payment.Token, "payment.token", 256, errors);
        }

        var preference = Contracts.SubstitutionPreference.Accept;
        if (body.SubstitutionPreference.IsSent)
        {
            // One name exactly: Enum.TryParse would also take numbers and "Accept, Refund" (flags).
            var named = body.SubstitutionPreference.TryGet(out var given)
                ? Enum.GetValues<SubstitutionPreference>().Where(p => string.Equals(p.ToString(), given, StringComparison.OrdinalIgnoreCase)).ToList()
                : [];
            if (named.Count == 1)
            {
                preference = named[0];
            }
            else
            {
                errors["substitutionPreference"] = ["substitutionPreference must be \"accept\", \"refund\" or \"ask\"."];
            }
        }

        var lines = ValidLines(body.Lines, errors);
        var delivery = ValidDelivery(body.Delivery, errors);
        string? language = null;
        if (body.Language.IsSent)
        {
            language = body.Language.TryGet(out var given) ? given.Trim().ToLowerInvariant() : null;
            if (language is not ("vi" or "en"))
            {
                errors["language"] = ["language must be \"vi\" or \"en\" (left out: Vietnamese for a store that sells in dong, English elsewhere)."];
            }
        }

        return errors.Count > 0
            ? null
            : new OrderToPlace(customerId!, storeId!, slotId, lines!, provider!, token!, preference, delivery!, language);
    }

    /// <summary>Where to deliver: an address a courier can read, the door's coordinates, the recipient's phone in E.164 and optional notes.</summary>
    private static DeliveryDestination? ValidDelivery(Sent<DeliveryRequest> sent, Dictionary<string, string[]> errors)
    {
        if (!sent.TryGet(out var delivery))
        {
            errors["delivery"] = ["delivery is required: {\"address\", \"latitude\", \"longitude\", \"phone\", \"notes\"} (notes optional)."];
            return null;
        }

        var before = errors.Count;
        RefuseUnknown(delivery.Unknown, KnownInDelivery, "delivery.", errors);
        var address = Text(delivery.Address, "delivery.address", OrderToPlace.MaxAddress, errors);
        if (address is { Length: < 5 })
        {
            errors["delivery.address"] = ["delivery.address must be a street address a courier can find (at least 5 characters)."];
        }

        var latitude = Coordinate(delivery.Latitude, "delivery.latitude", 90, errors);
        var longitude = Coordinate(delivery.Longitude, "delivery.longitude", 180, errors);
        if (latitude is { } lat && longitude is { } lng && Math.Abs(lat) < 1e-9 && Math.Abs(lng) < 1e-9)
        {
            errors["delivery.latitude"] = ["delivery.latitude and delivery.longitude are both 0: that is the sea off Africa, not a door. Send the door's coordinates."];
        }

        var phone = delivery.Phone.TryGet(out var number) ? number.Trim().Replace(" ", "", StringComparison.Ordinal) : null;
        if (phone is null || !IsE164(phone))
        {
            // Never the number itself in the answer: it may be logged on the way back.
            errors["delivery.phone"] = ["delivery.phone must be the recipient's phone in E.164: a + and 8 to 15 digits, e.g. +84901234567."];
        }

        string? notes = null;
        // Null, or left out, or empty: no notes.
        if (delivery.Notes.TryGet(out var given) && !string.IsNullOrWhiteSpace(given))
        {
            notes = Text(delivery.Notes, "delivery.notes", OrderToPlace.MaxNotes, errors);
        }

        return errors.Count > before ? null : new DeliveryDestination(address!, latitude!.Value, longitude!.Value, phone!, notes);
    }

    private static double? Coordinate(Sent<double> sent, string field, double limit, Dictionary<string, string[]> errors)
    {
        if (!sent.TryGet(out var value) || double.IsNaN(value) || Math.Abs(value) > limit)
        {
            errors[field] = [$"{field} must be a number from -{limit} to {limit} (WGS 84 degrees)."];
            return null;
        }

        return value;
    }

    private static bool IsE164(string phone) =>
        phone.Length is >= 9 and <= 16 && phone[0] == '+' && phone[1] != '0' && phone.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;

    private static List<RequestedLine>? ValidLines(Sent<List<Sent<LineRequest>>> sent, Dictionary<string, string[]> errors)
    {
        if (!sent.TryGet(out var lines))
        {
            errors["lines"] = ["lines is required: a list of {\"sku\", \"quantity\"}."];
            return null;
        }

        if (lines.Count is 0 or > OrderToPlace.MaxLines)
        {
            errors["lines"] = [$"An order has 1 to {OrderToPlace.MaxLines} lines; this one has {lines.Count}."];
            return null;
        }

        var result = new List<RequestedLine>(lines.Count);
        for (var index = 0; index < lines.Count; index++)
        {
            var field = $"lines[{index}]";
            if (!lines[index].TryGet(out var line))
            {
                errors[field] = [$"{field} must be an object {{\"sku\", \"quantity\"}}."];
                continue;
            }

            RefuseUnknown(line.Unknown, KnownInLine, $"{field}.", errors);
            var sku = Text(line.Sku, $"{field}.sku", 64, errors);
            if (!line.Quantity.TryGet(out var quantity))
            {
                errors[$"{field}.quantity"] = [$"{field}.quantity must be a number."];
                continue;
            }

            if (quantity <= 0)
            {
                errors[$"{field}.quantity"] = [$"{field}.quantity must be greater than zero."];
                continue;
            }

            if (quantity > OrderToPlace.MaxPieces)
            {
                errors[$"{field}.quantity"] = [$"{field}.quantity is too large (at most {OrderToPlace.MaxPieces.ToString(CultureInfo.InvariantCulture)})."];
                continue;
            }

            if (sku is not null)
            {
                if (result.Exists(r => r.Sku == sku))
                {
                    errors[$"{field}.sku"] = [$"{field}.sku '{sku}' appears twice; put its whole quantity on one line."];
                    continue;
                }

                result.Add(new RequestedLine(sku, quantity));
            }
        }

        return result;
    }

    private static void RefuseUnknown(Dictionary<string, JsonElement>? unknown, IReadOnlyList<string> known, string prefix, Dictionary<string, string[]> errors)
    {
        foreach (var name in unknown?.Keys ?? Enumerable.Empty<string>())
        {
            errors[prefix + name] = [$"Unknown field '{prefix}{name}'. Known fields: {string.Join(", ", known.Select(k => prefix + k))}."];
        }
    }

    private static string? Text(Sent<string> sent, string field, int maxLength, Dictionary<string, string[]> errors)
    {
        if (!sent.TryGet(out var value))
        {
            errors[field] = [$"{field} is required and must be a string."];
            return null;
        }

        var text = value.Trim();
        if (text.Length == 0 || text.Length > maxLength)
        {
            errors[field] = [$"{field} must be 1 to {maxLength} characters."];
            return null;
        }

        if (Problems.IsNotPlainText(text))
        {
            errors[field] = [$"{field} must be plain text: no control or format characters (such as bidi overrides or zero-width marks)."];
            return null;
        }

        return text;
    }
}

/// <summary>The <c>payment</c> of an order: which provider, and its token for the customer's means of payment.</summary>
public sealed record PaymentRequest(Sent<string> Provider, Sent<string> Token)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }
}

/// <summary>The <c>delivery</c> of an order: where the courier takes it.</summary>
public sealed record DeliveryRequest(Sent<string> Address, Sent<double> Latitude, Sent<double> Longitude, Sent<string> Phone, Sent<string> Notes)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }
}

/// <summary>One of an order's <c>lines</c>: a SKU and how many pieces or kilograms.</summary>
public sealed record LineRequest(Sent<string> Sku, Sent<decimal> Quantity)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }
}
