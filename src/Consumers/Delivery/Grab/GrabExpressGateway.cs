using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Grocery.Workflows.Contracts;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Delivery.Grab;

/// <summary>
/// GrabExpress through Grab's Delivery API (v1): quotes, create, get and cancel a delivery, with the OAuth2 token of
/// <see cref="GrabTokens"/>. A booking's <c>merchantOrderID</c> is the order plus the attempt. Grab keeps no
/// idempotency key, so a booking retried after a lost answer first cancels whatever the earlier try created under
/// that id (<c>DELETE /v1/merchant/deliveries/{merchantOrderID}</c>). A 4xx is Grab's refusal (its reason kept); a
/// 401 fetches a new token once; 429 and 5xx throw and the step is retried.
/// </summary>
public sealed class GrabExpressGateway(HttpClient http, GrabTokens tokens, IOptions<GrabSettings> options, TimeProvider time) : ICourierGateway
{
    public const string ProviderName = "grab";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly GrabSettings _settings = options.Value;

    public string Provider => ProviderName;

    public async Task<CourierQuote> Quote(CourierJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var (service, _) = ServiceFor(job);
        using var response = await Send(HttpMethod.Post, "/v1/deliveries/quotes", new QuoteRequest(service, _settings.VehicleType, PackagesOf(job),
            ToPlace(job.Origin), ToPlace(job.Destination)), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return CourierQuote.Refused(await Refusal(response, cancellationToken));
        }

        var answer = await response.Content.ReadFromJsonAsync<QuotesResponse>(Json, cancellationToken);
        return answer?.Quotes is [var quote, ..]
            ? new CourierQuote(Minor(quote.Amount, quote.Currency), quote.EstimatedTimeline?.Pickup, quote.EstimatedTimeline?.Dropoff, null)
            : CourierQuote.Refused("Grab answered no quote.");
    }

    public async Task<CourierBooking> Book(CourierJob job, bool retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (retry)
        {
            // An earlier try may have created a delivery whose answer was lost: no second courier for one booking.
            using var cleared = await Send(HttpMethod.Delete, $"/v1/merchant/deliveries/{Uri.EscapeDataString(job.MerchantOrderId)}", null, cancellationToken);
            if (cleared.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Conflict))
            {
                cleared.EnsureSuccessStatusCode();
            }
        }

        var (service, schedule) = ServiceFor(job);
        var request = new DeliveryRequest(job.MerchantOrderId, service, _settings.VehicleType, PackagesOf(job), ToPlace(job.Origin), ToPlace(job.Destination),
            ToContact(job.Origin, sms: false), ToContact(job.Destination, sms: true), schedule);
        using var response = await Send(HttpMethod.Post, "/v1/deliveries", request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return CourierBooking.Refused(await Refusal(response, cancellationToken));
        }

        var delivery = await response.Content.ReadFromJsonAsync<DeliveryResponse>(Json, cancellationToken);
        if (string.IsNullOrEmpty(delivery?.DeliveryId))
        {
            throw new HttpRequestException("Grab created a delivery but answered no deliveryID.");
        }

        return new CourierBooking(delivery.DeliveryId, NullIfEmpty(delivery.TrackingUrl), Minor(delivery.Offer?.Amount ?? 0, delivery.Offer?.Currency), null);
    }

    public async Task<CourierBookingStatus?> Get(string deliveryId, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Get, $"/v1/deliveries/{Uri.EscapeDataString(deliveryId)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var delivery = await response.Content.ReadFromJsonAsync<DeliveryResponse>(Json, cancellationToken)
            ?? throw new HttpRequestException("Grab answered an empty delivery.");
        return new CourierBookingStatus(deliveryId, GrabStatuses.Of(delivery.Status) ?? CourierStatus.Allocating,
            delivery.Courier is { } courier ? GrabStatuses.CourierName(courier.Driver, courier.Vehicle?.LicensePlate) : null, NullIfEmpty(delivery.TrackingUrl));
    }

    public async Task<bool> Cancel(string deliveryId, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Delete, $"/v1/deliveries/{Uri.EscapeDataString(deliveryId)}", null, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Unknown to Grab, or past the point it can be cancelled (picked up, over).
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>A window within <see cref="GrabSettings.InstantWithin"/> goes now; a later one is scheduled for its own pick-up hour.</summary>
    private (string Service, GrabSchedule? Schedule) ServiceFor(CourierJob job) =>
        job.WindowStart - time.GetUtcNow() <= _settings.InstantWithin
            ? ("INSTANT", null)
            : ("SAME_DAY", new GrabSchedule(job.WindowStart.AddHours(-1), job.WindowStart));

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var token = await tokens.Get(cancellationToken);
            using var request = new HttpRequestMessage(method, new Uri(_settings.ApiBase.TrimEnd('/') + path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, body.GetType(), options: Json);
            }

            var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
            {
                response.Dispose();
                tokens.Drop(token);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.Unauthorized)
            {
                var status = response.StatusCode;
                response.Dispose();
                throw new HttpRequestException($"Grab {method} {path.Split('/')[2]} answered {(int)status}; the step is retried.", null, status);
            }

            return response;
        }

        throw new UnreachableException();
    }

    /// <summary>Grab's reason for a 4xx: <c>arg</c>, <c>message</c> or <c>reason</c>, whichever it sent; the status alone otherwise.</summary>
    private static async Task<string> Refusal(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"Grab answered {(int)response.StatusCode}";
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            foreach (var key in new[] { "arg", "message", "reason" })
            {
                if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty(key, out var value)
                    && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    return $"{status}: {text[..Math.Min(text.Length, 200)]}";
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the status says enough.
        }

        return status;
    }

    private static Money? Minor(double amount, GrabCurrency? currency) =>
        currency?.Code is { Length: 3 } code
            ? new Money((long)Math.Round(amount * Math.Pow(10, currency.Exponent), MidpointRounding.AwayFromZero), code)
            : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Each line a package; the value in major units; weights estimated (a piece 500 g, weighed lines by their kilograms).</summary>
    private static List<Package> PackagesOf(CourierJob job) =>
        [.. job.Packages.Select(p => new Package(Truncate(p.Name, 500), Truncate(p.Name, 500), Math.Max(1, p.Quantity),
            MajorUnits(p.Value, job.Currency), new Dimensions(0, 0, 0, p.WeightGrams)))];

    private static double MajorUnits(long minor, string currency) =>
        minor / Math.Pow(10, currency is "VND" or "JPY" or "KRW" or "IDR" ? 0 : 2);

    private static GrabPlace ToPlace(CourierPlace place) =>
        new(Truncate(place.Address, 500), place.Name, new Coordinates(Math.Round(place.Latitude, 6), Math.Round(place.Longitude, 6)));

    /// <summary>Grab takes phones as E.164 without the plus; the courier's instruction is the customer's note.</summary>
    private static GrabContact ToContact(CourierPlace place, bool sms) =>
        new(Truncate(place.Name, 100), place.Phone.TrimStart('+'), sms, place.Notes is { Length: > 0 } notes ? Truncate(notes, 1000) : null);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private sealed record QuoteRequest(string ServiceType, string VehicleType, List<Package> Packages, GrabPlace Origin, GrabPlace Destination);

    private sealed record DeliveryRequest(
        [property: JsonPropertyName("merchantOrderID")] string MerchantOrderId,
        string ServiceType,
        string VehicleType,
        List<Package> Packages,
        GrabPlace Origin,
        GrabPlace Destination,
        GrabContact Sender,
        GrabContact Recipient,
        GrabSchedule? Schedule,
        string PaymentMethod = "CASHLESS",
        string Payer = "SENDER");

    private sealed record Package([property: JsonPropertyName("name")] string Label, string Description, int Quantity, double Price, Dimensions Dimensions);

    private sealed record Dimensions(int Height, int Width, int Depth, int Weight);

    private sealed record GrabPlace(string Address, string Keywords, Coordinates Coordinates);

    private sealed record Coordinates(double Latitude, double Longitude);

    private sealed record GrabContact(string FirstName, string Phone, bool SmsEnabled, string? Instruction);

    private sealed record GrabSchedule(
        [property: JsonConverter(typeof(Rfc3339))] DateTimeOffset PickupTimeFrom,
        [property: JsonConverter(typeof(Rfc3339))] DateTimeOffset PickupTimeTo);

    private sealed record QuotesResponse(List<GrabQuote>? Quotes);

    private sealed record GrabQuote(double Amount, GrabCurrency? Currency, Timeline? EstimatedTimeline);

    private sealed record GrabCurrency(string? Code, int Exponent);

    private sealed record Timeline(DateTimeOffset? Pickup, DateTimeOffset? Dropoff);

    private sealed record DeliveryResponse(
        [property: JsonPropertyName("deliveryID")] string? DeliveryId,
        string? Status,
        [property: JsonPropertyName("trackingURL")] string? TrackingUrl,
        [property: JsonPropertyName("quote")] GrabQuote? Offer,
        GrabCourier? Courier);

    private sealed record GrabCourier([property: JsonPropertyName("name")] string? Driver, Vehicle? Vehicle);

    private sealed record Vehicle(string? LicensePlate);

    /// <summary>RFC 3339 with the offset, to the second, as Grab's schedule asks.</summary>
    private sealed class Rfc3339 : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
    }
}
