using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Notifications;

/// <summary>
/// Posts a kept notification to the notification service as a structured CloudEvent
/// (<c>application/cloudevents+json</c>), signed in the <c>Grocery-Signature</c> header:
/// <c>t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}" under Notifications:Secret}</c>. Any answer but 2xx throws:
/// the step is retried with back-off (<see cref="NotificationSenderDefinition"/>), then kept as a failed message,
/// replayable. A post whose answer was lost is posted again with the same id; the service deduplicates by it.
/// </summary>
public sealed class NotificationSender(HttpClient http, INotificationBook book, IOptions<NotificationSettings> options, TimeProvider time)
    : IConsumer<SendCustomerNotification>
{
    public const string SignatureHeader = "Grocery-Signature";

    public async Task Consume(ConsumeContext<SendCustomerNotification> context)
    {
        var m = context.Message;
        var notification = await book.Find(m.EventId, context.CancellationToken)
            ?? throw new InvalidOperationException($"Notification {m.EventId} is not kept here; nothing to send.");
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Endpoint))
        {
            throw new InvalidOperationException($"Notification {m.EventId} waits for a notification service, and Notifications:Endpoint is not set.");
        }

        var body = Encoding.UTF8.GetBytes(notification.CloudEvent);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.Endpoint)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" };
        request.Headers.Add(SignatureHeader, Sign(settings.Secret!, time.GetUtcNow().ToUnixTimeSeconds(), body));
        try
        {
            using var response = await http.SendAsync(request, context.CancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The notification service answered {(int)response.StatusCode} to {m.EventId}.", null, response.StatusCode);
            }
        }
        catch (Exception)
        {
            book.Count(notification.Kind, "failed");
            throw;
        }

        await book.Sent(m.EventId, time.GetUtcNow(), context.CancellationToken);
        book.Count(notification.Kind, "sent");
    }

    /// <summary>The header's value for <paramref name="body"/> sent at <paramref name="unixSeconds"/>.</summary>
    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var stamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[stamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(stamp, signed);
        signed[stamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(stamp.Length + 1));
        return $"t={stamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}

/// <summary>A notification is retried for about a minute and a half with back-off, then kept as a failed message.</summary>
public sealed class NotificationSenderDefinition : ConsumerDefinition<NotificationSender>
{
    public NotificationSenderDefinition() => ConcurrentMessageLimit = 16;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<NotificationSender> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
}
