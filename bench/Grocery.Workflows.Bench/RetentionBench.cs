namespace Grocery.Workflows.Bench;

/// <summary>What one run of the retention job did to a history of finished orders.</summary>
internal sealed record RetentionFigures(long OrdersBefore, long OrdersAfter, long RowsBefore, long RowsAfter, long MegabytesBefore, long MegabytesAfter,
    long Archived, double Seconds, IReadOnlyDictionary<string, long> Left);

/// <summary>
/// The retention job on the history the run built: every finished order is aged past <c>Retention:Orders</c> (its
/// order saga's <c>state_entered_at</c> moved back 100 days), one run of the job through the jobs API archives and
/// deletes them, and the order tables are measured before and after (their size after <c>VACUUM FULL</c>, which gives
/// the freed pages back to the file system: what a bounded database looks like once PostgreSQL's autovacuum has
/// reused them).
/// </summary>
internal static class RetentionBench
{
    // The tables whose rows belong to an order (OrderRetention.OwnedTables); the inbox has its own retention.
    private static readonly string[] Tables =
    [
        "order_sagas", "slot_reservation_sagas", "picking_sagas", "substitution_sagas", "delivery_sagas", "saga_timeline",
        "order_requests", "stock_reservations", "slot_holds", "payment_ledger", "courier_bookings", "notifications", "stock_ledger",
    ];

    public static async Task<RetentionFigures> Run(HttpClient client, string connectionString)
    {
        var ordersBefore = await Sql.Scalar(connectionString, "SELECT count(*) FROM order_sagas");
        var rowsBefore = await Rows(connectionString);
        var megabytesBefore = await Megabytes(connectionString);

        await Sql.Execute(connectionString,
            "UPDATE order_sagas SET state_entered_at = state_entered_at - interval '100 days' WHERE current_state IN ('Completed', 'Rejected', 'Cancelled', 'Refunded')");
        var run = await Jobs.Run(client, "retention");
        var summary = run.GetProperty("summary");

        await Sql.Execute(connectionString, $"VACUUM FULL {string.Join(", ", Tables)}");
        var left = await Sql.Counts(connectionString, string.Join(" UNION ALL ", Tables.Select(t => $"SELECT '{t}', count(*) FROM {t}")));
        return new RetentionFigures(ordersBefore, await Sql.Scalar(connectionString, "SELECT count(*) FROM order_sagas"),
            rowsBefore, await Rows(connectionString), megabytesBefore, await Megabytes(connectionString),
            summary.GetProperty("orders").GetInt64(), Jobs.Seconds(run), left.Where(t => t.Value > 0).ToDictionary());
    }

    private static Task<long> Rows(string connectionString) =>
        Sql.Scalar(connectionString, "SELECT " + string.Join(" + ", Tables.Select(t => $"(SELECT count(*) FROM {t})")));

    private static async Task<long> Megabytes(string connectionString) =>
        await Sql.Scalar(connectionString, "SELECT " + string.Join(" + ", Tables.Select(t => $"pg_total_relation_size('{t}')"))) / 1024 / 1024;

    public static string Describe(RetentionFigures f) =>
        $"{f.Archived:N0} orders archived and deleted in {f.Seconds:F1} s; orders {f.OrdersBefore:N0} -> {f.OrdersAfter:N0}, " +
        $"their rows {f.RowsBefore:N0} -> {f.RowsAfter:N0} ({string.Join(", ", f.Left.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value:N0}"))} left), " +
        $"their tables {f.MegabytesBefore} -> {f.MegabytesAfter} MB";
}
