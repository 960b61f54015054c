using System.Globalization;
using System.Text.Json;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Api.Orders;

public sealed record RequestedLine(string Sku, decimal Quantity);

/// <summary>A POST /api/orders body that passed the shape checks (the lookups against the catalogue come after).</summary>
public sealed record PlaceOrderRequest(
    string CustomerId,
    string StoreId,
    Guid SlotId,
    IReadOnlyList<RequestedLine> Lines,
    string PaymentProvider,
    string PaymentToken,
    SubstitutionPreference SubstitutionPreference)
{
    public const int MaxLines = 100;

    private static readonly string[] Known = ["customerId", "storeId", "slotId", "lines", "payment", "substitutionPreference"];
    private static readonly string[] KnownInPayment = ["provider", "token"];
    private static readonly string[] KnownInLine = ["sku", "quantity"];
    public const decimal MaxPieces = 99;
    public const decimal MaxKilograms = 50;

    /// <summary>
    /// Reads the body by hand rather than by model binding, so that every wrong field gets a precise message
    /// (a field missing, of the wrong type, out of range) instead of a generic binding failure.
    /// </summary>
    public static PlaceOrderRequest? Parse(JsonElement body, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["The body must be a JSON object."];
            return null;
        }

        // A misspelt field must not silently fall back to a default (a preference, a token).
        RefuseUnknown(body, Known, "", errors);

        var customerId = Text(body, "customerId", 64, errors);
        var storeId = Text(body, "storeId", 32, errors);
        var slot = Text(body, "slotId", 64, errors);
        var slotId = Guid.Empty;
        if (slot is not null && !Guid.TryParse(slot, out slotId))
        {
            errors["slotId"] = ["slotId must be a slot id (a GUID) from GET /api/slots."];
        }

        string? provider = null, token = null;
        if (!body.TryGetProperty("payment", out var payment) || payment.ValueKind != JsonValueKind.Object)
        {
            errors["payment"] = ["payment is required: {\"provider\": \"sandbox\", \"token\": \"tok_success\"}."];
        }
        else
        {
            RefuseUnknown(payment, KnownInPayment, "payment.", errors);
            provider = Text(payment, "provider", 32, errors, "payment.provider")?.ToLowerInvariant();
            token = Text(payment, "token", 256, errors, "payment.token");
        }

        var preference = SubstitutionPreference.Accept;
        if (body.TryGetProperty("substitutionPreference", out var pref))
        {
            // One name exactly: Enum.TryParse would also take numbers and "Accept, Refund" (flags).
            var named = pref.ValueKind == JsonValueKind.String
                ? Enum.GetValues<SubstitutionPreference>().Where(p => string.Equals(p.ToString(), pref.GetString(), StringComparison.OrdinalIgnoreCase)).ToList()
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

        var lines = ParseLines(body, errors);
        return errors.Count > 0
            ? null
            : new PlaceOrderRequest(customerId!, storeId!, slotId, lines!, provider!, token!, preference);
    }

    /// <summary>Checks each line against the product's unit: whole pieces, or kilograms to the gram.</summary>
    public static string? QuantityProblem(SaleUnit unit, decimal quantity) => unit switch
    {
        SaleUnit.Each when quantity != decimal.Truncate(quantity) => "must be a whole number of pieces",
        SaleUnit.Each when quantity > MaxPieces => $"must be at most {MaxPieces} pieces",
        SaleUnit.Kilogram when decimal.Round(quantity, 3) != quantity => "must be in kilograms with at most 3 decimals",
        SaleUnit.Kilogram when quantity > MaxKilograms => $"must be at most {MaxKilograms} kg",
        _ => null,
    };

    private static List<RequestedLine>? ParseLines(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty("lines", out var lines) || lines.ValueKind != JsonValueKind.Array)
        {
            errors["lines"] = ["lines is required: a list of {\"sku\", \"quantity\"}."];
            return null;
        }

        var count = lines.GetArrayLength();
        if (count is 0 or > MaxLines)
        {
            errors["lines"] = [$"An order has 1 to {MaxLines} lines; this one has {count}."];
            return null;
        }

        var result = new List<RequestedLine>(count);
        var index = 0;
        foreach (var line in lines.EnumerateArray())
        {
            var field = $"lines[{index++}]";
            if (line.ValueKind != JsonValueKind.Object)
            {
                errors[field] = [$"{field} must be an object {{\"sku\", \"quantity\"}}."];
                continue;
            }

            RefuseUnknown(line, KnownInLine, $"{field}.", errors);
            var sku = Text(line, "sku", 64, errors, $"{field}.sku");
            if (!line.TryGetProperty("quantity", out var q) || q.ValueKind != JsonValueKind.Number || !q.TryGetDecimal(out var quantity))
            {
                errors[$"{field}.quantity"] = [$"{field}.quantity must be a number."];
                continue;
            }

            if (quantity <= 0)
            {
                errors[$"{field}.quantity"] = [$"{field}.quantity must be greater than zero."];
                continue;
            }

            if (quantity > MaxPieces)
            {
                errors[$"{field}.quantity"] = [$"{field}.quantity is too large (at most {MaxPieces.ToString(CultureInfo.InvariantCulture)})."];
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

    private static void RefuseUnknown(JsonElement value, string[] known, string prefix, Dictionary<string, string[]> errors)
    {
        foreach (var unknown in value.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)))
        {
            errors[prefix + unknown] = [$"Unknown field '{prefix}{unknown}'. Known fields: {string.Join(", ", known.Select(k => prefix + k))}."];
        }
    }

    private static string? Text(JsonElement parent, string name, int maxLength, Dictionary<string, string[]> errors, string? field = null)
    {
        field ??= name;
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            errors[field] = [$"{field} is required and must be a string."];
            return null;
        }

        var text = value.GetString()!.Trim();
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
