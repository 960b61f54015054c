using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Persistence.Orders;

public sealed record RequestedLine(string Sku, decimal Quantity);

/// <summary>
/// A POST /api/orders body that passed the shape checks (the lookups against the catalogue come after). Its JSON is
/// hashed into <see cref="OrderRequest.RequestHash"/>: renaming or reordering its members would make every stored
/// Idempotency-Key answer "used with a different body".
/// </summary>
public sealed record OrderToPlace(
    string CustomerId,
    string StoreId,
    Guid SlotId,
    IReadOnlyList<RequestedLine> Lines,
    string PaymentProvider,
    string PaymentToken,
    SubstitutionPreference SubstitutionPreference,
    Contracts.Delivery.DeliveryDestination Delivery,
    string? Language)
{
    public const int MaxLines = 100;
    public const int MaxAddress = 500;
    public const int MaxNotes = 500;
    public const decimal MaxPieces = 99;
    public const decimal MaxKilograms = 50;

    /// <summary>Checks each line against the product's unit: whole pieces, or kilograms to the gram.</summary>
    public static string? QuantityProblem(SaleUnit unit, decimal quantity) => unit switch
    {
        SaleUnit.Each when quantity != decimal.Truncate(quantity) => "must be a whole number of pieces",
        SaleUnit.Each when quantity > MaxPieces => $"must be at most {MaxPieces} pieces",
        SaleUnit.Kilogram when decimal.Round(quantity, 3) != quantity => "must be in kilograms with at most 3 decimals",
        SaleUnit.Kilogram when quantity > MaxKilograms => $"must be at most {MaxKilograms} kg",
        _ => null,
    };

    public string Hash() => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this))));
}
