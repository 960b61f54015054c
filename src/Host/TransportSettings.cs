using System.ComponentModel.DataAnnotations;

namespace Grocery.Workflows.Host;

public enum TransportKind
{
    /// <summary>In-process bus: the embedded default, one instance.</summary>
    InMemory,

    /// <summary>RabbitMQ (<c>ConnectionStrings:RabbitMq</c>): several instances share the queues.</summary>
    RabbitMq,
}

/// <summary>The message transport (section <c>Transport</c>).</summary>
public sealed class TransportSettings
{
    public TransportKind Kind { get; set; } = TransportKind.InMemory;

    /// <summary>Messages RabbitMQ hands each consumer before acknowledgement; also the endpoint's concurrency.</summary>
    [Range(1, 1000)]
    public int PrefetchCount { get; set; } = 32;
}

public enum SlotStoreKind
{
    /// <summary>Slot capacity by conditional updates in the workflow database.</summary>
    Database,

    /// <summary>Redis Lua scripts as the fast gate (<c>ConnectionStrings:Redis</c>), the workflow database as the record.</summary>
    Redis,
}

/// <summary>Where slot capacity is kept (section <c>Slots</c>).</summary>
public sealed class SlotStoreSettings
{
    public SlotStoreKind Store { get; set; } = SlotStoreKind.Database;
}

public enum HostRole
{
    /// <summary>Everything: the HTTP API, the sagas and activities, the jobs and the outbox dispatcher.</summary>
    All,

    /// <summary>
    /// The HTTP API and the outbox dispatcher only, for API Deployments that are switched blue-green: no message is
    /// consumed and no job is scheduled here, so an idle colour does no work. Needs a shared database and RabbitMQ.
    /// </summary>
    Api,
}

/// <summary>What this process runs (section <c>Host</c>).</summary>
public sealed class HostSettings
{
    public HostRole Role { get; set; } = HostRole.All;
}
