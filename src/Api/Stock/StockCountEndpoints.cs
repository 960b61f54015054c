using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Grocery.Workflows.Api.Stock;

/// <summary>One count in a JSON import.</summary>
public sealed record StockCountItem(string? StoreId, string? Sku, decimal? Quantity, string? CountedAt);

/// <summary>Stock counts from the stores' stock-takes, for the nightly reconciliation.</summary>
public static class StockCountEndpoints
{
    /// <summary>A million counts as CSV is about 45 MB.</summary>
    private const long MaxImportBytes = RequestLimits.StockCountBody;

    private const int MaxLineLength = 1000;

    private const string CsvHeader = "store_id,sku,quantity,counted_at";

    // Strict, as every other body: a quantity is a JSON number (not "12"), no field is unknown, no key comes twice.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    public static IEndpointRouteBuilder MapStockCountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/stock/counts", Import).WithTags("Stock").RequireAuthorization(GroceryPolicies.Scheduler)
            .WithSummary($"Imports counts: CSV ({CsvHeader}) or a JSON array of {{storeId, sku, quantity, countedAt}}. One bad line refuses the file.")
            .Accepts<StockCountItem[]>("application/json", "text/csv").WithBodyLimit(RequestLimits.StockCountBody);
        return app;
    }

    private static async Task<Results<Ok<StockCountImportResult>, ProblemHttpResult>> Import(
        HttpRequest request, StockCountImport import, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
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

        if (request.ContentLength > MaxImportBytes)
        {
            return TooLarge();
        }

        // The whole file first, to a temporary file: it is read twice (checked, then written), and the database waits
        // for the file, never for a slow upload.
        await using var file = new FileStream(Path.Combine(Path.GetTempPath(), Path.GetRandomFileName()), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await request.Body.CopyToAsync(file, cancellationToken);
        }
        catch (BadHttpRequestException bad)
        {
            // Too slow or cut off is answered as on every other route; too large keeps the count file's own hint.
            return bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : RequestLimits.FromBadRequest(bad, MaxImportBytes);
        }

        IAsyncEnumerable<StockCountLine> Read(CancellationToken token)
        {
            file.Position = 0;
            return mediaType == "text/csv" ? Csv(file, token) : FromJson(file, token);
        }

        // The import names the file's stores as its target once it has read them, and writes the row with its first batch.
        // A refused file is a 400 like any malformed body, and is not in the trail: it changed nothing, and its answer
        // never waits for the write gate.
        var audited = Audited.Action(request.HttpContext, AuditActions.StockCount, "count file",
            parameters: new JsonObject { ["format"] = mediaType == "text/csv" ? "csv" : "json", ["bytes"] = file.Length });
        try
        {
            return TypedResults.Ok(await import.Import(Read, audited, cancellationToken, lifetime.ApplicationStopping));
        }
        catch (StockCountRejectedException rejected)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The count file was refused; nothing was imported",
                detail: rejected.Message, extensions: new Dictionary<string, object?> { ["line"] = rejected.Line });
        }
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The count file is too large",
            detail: $"A count file may have at most {MaxImportBytes / 1024 / 1024} MiB; split it by store.");

    private static async IAsyncEnumerable<StockCountLine> Csv(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, leaveOpen: true);
        var line = new StringBuilder();
        var number = 1;
        var header = ReadLine(reader, line, number);
        var columns = header?.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToArray() ?? [];
        int store = Array.IndexOf(columns, "store_id"), sku = Array.IndexOf(columns, "sku"),
            quantity = Array.IndexOf(columns, "quantity"), countedAt = Array.IndexOf(columns, "counted_at");
        if (store < 0 || sku < 0 || quantity < 0 || countedAt < 0)
        {
            throw new StockCountRejectedException(1, $"the header must name the columns {CsvHeader}.");
        }

        while (ReadLine(reader, line, ++number) is { } text)
        {
            cancellationToken.ThrowIfCancellationRequested();
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

    /// <summary>
    /// One line without its end, or null at the end of the file; a line longer than any count is refused, not
    /// buffered. The file is a local temporary one by now, read through the reader's buffer.
    /// </summary>
    private static string? ReadLine(StreamReader reader, StringBuilder line, int number)
    {
        line.Clear();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            if (line.Length == MaxLineLength)
            {
                throw new StockCountRejectedException(number, $"the line is longer than {MaxLineLength} characters.");
            }

            line.Append((char)c);
        }

        return line.Length == 0 ? null : line.ToString().TrimEnd('\r');
    }

    private static async IAsyncEnumerable<StockCountLine> FromJson(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        await using var items = JsonSerializer.DeserializeAsyncEnumerable<StockCountItem>(body, Json, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            StockCountItem? item;
            try
            {
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }

                item = items.Current;
            }
            catch (JsonException json)
            {
                throw new StockCountRejectedException(number + 1,
                    $"count {number + 1}: the JSON is not an array of counts ({json.Message})");
            }

            number++;
            if (item is null)
            {
                throw new StockCountRejectedException(number, $"count {number} is null.");
            }

            if (item.Quantity is null || item.CountedAt is null)
            {
                throw new StockCountRejectedException(number, $"count {number}: storeId, sku, quantity and countedAt are required.");
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
