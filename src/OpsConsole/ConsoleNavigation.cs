namespace Grocery.Workflows.OpsConsole;

/// <summary>The console's sections, in the order of its menu; the names are also the keys of their titles.</summary>
public static class ConsoleNavigation
{
    public const string Now = "Now";
    public const string Orders = "Orders";
    public const string Stuck = "Stuck";
    public const string Failures = "Failures";
    public const string Jobs = "Jobs";
    public const string Slots = "Slots";
    public const string Audit = "Audit";

    public static IReadOnlyList<(string Href, string Name)> Sections { get; } =
    [
        ("/ops", Now),
        ("/ops/orders", Orders),
        ("/ops/stuck", Stuck),
        ("/ops/failures", Failures),
        ("/ops/jobs", Jobs),
        ("/ops/slots", Slots),
        ("/ops/audit", Audit),
    ];
}
