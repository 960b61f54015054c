namespace Grocery.Workflows.Bench;

/// <summary>The throughput run: orders and transitions per second, orders completed, and messages consumed by each consumer.</summary>
internal sealed record ThroughputFigures(double OrdersPerSecond, double TransitionsPerSecond, long Completed, Dictionary<string, long> Consumed);

/// <summary>The rush: how many got a place, how the 5,000 POSTs were answered and how fast, and how fast the slot saga decided.</summary>
internal sealed record RushFigures(int Successes, int Accepted, int Refused, bool Overbooked, Latencies Answers, Latencies Decisions);
