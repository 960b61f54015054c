using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>One page of a search: the SKUs in rank order and how many products match in all.</summary>
public sealed record ProductSearchPage(IReadOnlyList<string> Skus, int Total);

/// <summary>
/// Finds products by the words of a query in either language, accents or not, each word a prefix of a word of the
/// product's <see cref="Product.SearchText"/> ("sua t" finds "Sữa tươi"; a query of one-character words only matches them as whole words),
/// ranked by relevance, then shorter names first.
/// The index is the provider's own full-text index over that column: a <c>tsvector</c> column with a GIN index on
/// PostgreSQL, the FTS5 table <c>products_search</c> kept by triggers on SQLite (migration <c>ProductSearch</c>).
/// </summary>
public static class ProductSearch
{
    // ts_rank's normalization 1 divides by 1 + log(length): of two names with the words, the shorter one is the closer.
    private const string PostgresSql =
        """
        SELECT p.sku, count(*) OVER () AS total
        FROM products p, to_tsquery('simple', @query) q
        WHERE p.search_vector @@ q
        ORDER BY ts_rank(p.search_vector, q, 1) DESC, length(p.name), p.sku
        OFFSET @offset LIMIT @take
        """;

    private const string PostgresCountSql =
        "SELECT count(*) FROM products p WHERE p.search_vector @@ to_tsquery('simple', @query)";

    private const string SqliteCountSql =
        "SELECT count(*) FROM products_search WHERE products_search MATCH $query";

    // bm25 is lower for a better match. FTS5's ranking functions cannot sit beside a window function, so the matches are
    // ranked first and counted outside.
    private const string SqliteSql =
        """
        WITH matches AS MATERIALIZED (
            SELECT p.sku, p.name, bm25(products_search) AS rank
            FROM products_search s JOIN products p ON p.rowid = s.rowid
            WHERE products_search MATCH $query)
        SELECT sku, count(*) OVER () AS total
        FROM matches
        ORDER BY rank, length(name), sku
        LIMIT $take OFFSET $offset
        """;

    public static async Task<ProductSearchPage> Find(
        WorkflowDbContext db, IReadOnlyList<string> terms, int offset, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0)
        {
            return new ProductSearchPage([], 0);
        }

        // The terms are folded letters and digits only (ProductSearchText.Terms), so neither query language can be
        // injected; they still travel as a parameter.
        // A query of one-character words only ("l", "1 l") takes them whole: as prefixes they would match half the
        // catalogue and make a shopper's first keystroke the slowest search. Beside a longer word ("sua t") they are
        // prefixes, and the longer word keeps the matches few.
        var prefixes = terms.Any(t => t.Length > 1);
        var postgres = db.Database.IsNpgsql();
        var query = postgres
            ? string.Join(" & ", terms.Select(t => prefixes ? t + ":*" : t))
            : string.Join(' ', terms.Select(t => prefixes ? $"\"{t}\"*" : $"\"{t}\""));

        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        try
        {
            var skus = new List<string>(take);
            var total = 0;
            await using (var command = Command(db, postgres ? PostgresSql : SqliteSql, query))
            {
                Add(command, "offset", offset);
                Add(command, "take", take);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    skus.Add(reader.GetString(0));
                    total = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
                }
            }

            if (skus.Count == 0 && offset > 0)
            {
                // A page past the last match still says how many there are.
                await using var count = Command(db, postgres ? PostgresCountSql : SqliteCountSql, query);
                total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            }

            return new ProductSearchPage(skus, total);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private static DbCommand Command(WorkflowDbContext db, string sql, string query)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        Add(command, "query", query);
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
