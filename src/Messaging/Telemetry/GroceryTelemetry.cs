using System.Diagnostics;

namespace Grocery.Workflows.Messaging.Telemetry;

/// <summary>The engine's own trace source and the names its spans and log scopes share.</summary>
public static class GroceryTelemetry
{
    public const string SourceName = "Grocery.Workflows";

    /// <summary>Spans the engine starts itself: outbox delivery (the link from a committed row to the message it becomes).</summary>
    public static readonly ActivitySource Source = new(SourceName);

    public const string OrderIdTag = "grocery.order_id";

    /// <summary>A log scope naming the order, so structured logs can be searched by it.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> OrderScope(Guid orderId) => [new("OrderId", orderId)];
}
