using System.ComponentModel.DataAnnotations;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>The demo catalogue seeded on first start (section <c>Seed</c>).</summary>
public sealed class SeedSettings
{
    /// <summary>Seed stores, products, stock, slot templates and slots when the stores table is empty.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Days of delivery slots created with the catalogue, today included (each store's local today).</summary>
    [Range(1, 366)]
    public int SlotDays { get; set; } = 14;
}
