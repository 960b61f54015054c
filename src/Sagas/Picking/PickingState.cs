using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;
using MassTransit;

namespace Grocery.Workflows.Sagas.Picking;

/// <summary>What the picker reported for one ordered line.</summary>
public sealed record LineReport(string Sku, decimal PickedQuantity, bool IsShort, OrderLine? ProposedSubstitute);

/// <summary>Picking of one order. Correlated by the order id.</summary>
public sealed class PickingState : IGrocerySagaState
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    /// <summary>This saga is correlated by the order id.</summary>
    public Guid OrderId => CorrelationId;

    [MaxLength(32)]
    public string StoreId { get; set; } = "";
    public List<OrderLine> Lines { get; set; } = [];
    public SubstitutionPreference SubstitutionPreference { get; set; }
    public string? PickerId { get; set; }
    public int Attempt { get; set; }
    public List<LineReport> Reports { get; set; } = [];
    public Guid? SubstitutionRoundId { get; set; }
    public List<PickedLine> PickedLines { get; set; } = [];
    public Guid? PickerResponseToken { get; set; }
}
