using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grocery.Workflows.Api.Stock;

/// <summary>One count in a JSON import.</summary>
public sealed record StockCountItem(string? StoreId, string? Sku, decimal? Quantity, string? CountedAt);

/// <summary>Stock counts from the stores' stock-takes, for the nightly reconciliation.</summary>
public static class StockCountEndpoints
{
    /// <summary>A million counts as CSV is about 45 MB.</summary>
    private const long MaxImportBytes = 512L * 1024 * 1024;

    private const string CsvHeader = "store_id,sku,quantity,counted_at";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapStockCountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/stock/counts", Import).WithTags("Stock")
            .WithSummary($"Imports counts: CSV ({CsvHeader}) or a JSON array of {{storeId, sku, quantity, countedAt}}. One bad line refuses the file.")
            .Accepts<StockCountItem[]>("application/json", "text/csv");
        return app;
    }

    private static async Task<Results<Ok<StockCountImportResult>, ProblemHttpResult>> Import(
        HttpRequest request, StockCountImport import, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxImportBytes;
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/csv" or "application/json"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported count file",
                detail: $"Send the counts as text/csv (header {CsvHeader}) or as an application/json array.");
        }

        var lines = mediaType == "text/csv" ? Csv(request.Body, cancellationToken) : FromJson(request.Body, cancellationToken);
        try
        {
            return TypedResults.Ok(await import.Import(lines, cancellationToken));
        }
        catch (StockCountRejectedException rejected)
        {
            return Refused(rejected.Line, rejected.Message);
        }
        catch (JsonException json)
        {
            return Refused((int)(json.LineNumber ?? 0) + 1, $"Line {(json.LineNumber ?? 0) + 1}: the JSON is not an array of counts ({json.Message})");
        }
    }

    private static ProblemHttpResult Refused(int line, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The count file was refused; nothing was imported",
            detail: detail, extensions: new Dictionary<string, object?> { ["line"] = line });

    private static async IAsyncEnumerable<StockCountLine> Csv(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body);
        var header = await reader.ReadLineAsync(cancellationToken);
        var columns = header?.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToArray() ?? [];
        int store = Array.IndexOf(columns, "store_id"), sku = Array.IndexOf(columns, "sku"),
            quantity = Array.IndexOf(columns, "quantity"), countedAt = Array.IndexOf(columns, "counted_at");
        if (store < 0 || sku < 0 || quantity < 0 || countedAt < 0)
        {
            throw new StockCountRejectedException(1, $"the header must name the columns {CsvHeader}.");
        }

        var number = 1;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var fields = text.Split(',');
            if (fields.Length != columns.Length)
            {
                throw new StockCountRejectedException(number, $"expected {columns.Length} fields, found {fields.Length}.");
            }

            string Field(int i) => fields[i].Trim().Trim('"');
            yield return Line(number, Field(store), Field(sku), ParseQuantity(number, Field(quantity)), ParseTime(number, Field(countedAt)));
        }
    }

    private static async IAsyncEnumerable<StockCountLine> FromJson(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable<StockCountItem>(body, Json, cancellationToken))
        {
            number++;
            if (item is null)
            {
                throw new StockCountRejectedException(number, "a count is null.");
            }

            if (item.Quantity is null || item.CountedAt is null)
            {
                throw new StockCountRejectedException(number, "storeId, sku, quantity and countedAt are required.");
            }

            yield return Line(number, item.StoreId, item.Sku, item.Quantity.Value, ParseTime(number, item.CountedAt));
        }
    }

    private static StockCountLine Line(int number, string? storeId, string? sku, decimal quantity, DateTimeOffset countedAt)
    {
        if (string.IsNullOrWhiteSpace(storeId) || string.IsNullOrWhiteSpace(sku))
        {
            throw new StockCountRejectedException(number, "storeId and sku are required.");
        }

        return new StockCountLine(number, storeId.Trim(), sku.Trim(), quantity, countedAt);
    }

    private static decimal ParseQuantity(int number, string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var quantity)
            ? quantity
            : throw new StockCountRejectedException(number, $"'{text}' is not a quantity (use a dot for decimals).");

    /// <summary>An ISO 8601 time with its offset: a count without one could be any of a day's 26 time zones.</summary>
    private static DateTimeOffset ParseTime(int number, string text)
    {
        var time = text.IndexOf('T', StringComparison.Ordinal);
        var hasOffset = time > 0 && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > time);
        return hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : throw new StockCountRejectedException(number, $"'{text}' is not an ISO 8601 time with an offset (e.g. 2026-11-26T01:30:00+07:00).");
    }
}
