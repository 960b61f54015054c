using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Substitutions;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Notifications;

/// <summary>
/// Tells the customer what happened to their order: confirmed, substitutions to decide, out for delivery, delivered,
/// refunded, rejected, cancelled. Each event becomes one notification in the order's language, kept with the order
/// under a CloudEvent id derived from the event (a redelivered event finds it and sends nothing again) and, with a
/// notification service configured, put in the outbox for <see cref="NotificationSender"/> in the same transaction;
/// without one, written to the log.
/// </summary>
public sealed partial class CustomerNotifier(INotificationBook book, IOptions<NotificationSettings> options, TimeProvider time, ILogger<CustomerNotifier> logger)
    : IConsumer<OrderConfirmed>, IConsumer<SubstitutionsProposed>, IConsumer<OrderOutForDelivery>, IConsumer<OrderCompleted>, IConsumer<OrderRefunded>,
      IConsumer<OrderRejected>, IConsumer<OrderCancelled>
{
    public const string Source = "urn:grocery:workflows";

    public Task Consume(ConsumeContext<OrderConfirmed> context) =>
        Notify(context, context.Message.OrderId, "order.confirmed", null,
            facts => NotificationTexts.Confirmed(facts, context.Message.Authorized),
            new JsonObject { ["authorized"] = context.Message.Authorized.Amount, ["currency"] = context.Message.Authorized.Currency });

    public Task Consume(ConsumeContext<SubstitutionsProposed> context)
    {
        var m = context.Message;
        return Notify(context, m.OrderId, "substitutions.proposed", m.RoundId.ToString("N"),
            facts => NotificationTexts.SubstitutionsProposed(facts, m),
            new JsonObject
            {
                ["roundId"] = m.RoundId, ["decideBy"] = m.DecideBy,
                ["lines"] = new JsonArray([.. m.Lines.Select(l => (JsonNode)new JsonObject
                {
                    ["sku"] = l.Sku, ["name"] = l.Name, ["missingQuantity"] = l.MissingQuantity,
                    ["substitute"] = l.Substitute is { } s ? new JsonObject { ["sku"] = s.Sku, ["name"] = s.Name, ["quantity"] = s.Quantity, ["unitPrice"] = s.UnitPrice } : null,
                })]),
            },
            link: $"/orders/{m.OrderId}/substitutions/{m.RoundId}");
    }

    public async Task Consume(ConsumeContext<OrderOutForDelivery> context)
    {
        var courier = await book.Courier(context.Message.OrderId, context.CancellationToken);
        await Notify(context, context.Message.OrderId, "order.out-for-delivery", null,
            facts => NotificationTexts.OutForDelivery(facts, courier),
            new JsonObject { ["courier"] = courier?.Courier, ["provider"] = courier?.Provider, ["trackingUrl"] = courier?.TrackingUrl },
            absoluteLink: courier?.TrackingUrl);
    }

    public Task Consume(ConsumeContext<OrderCompleted> context) =>
        Notify(context, context.Message.OrderId, "order.delivered", null,
            facts => NotificationTexts.Delivered(facts, context.Message.Captured),
            new JsonObject { ["captured"] = context.Message.Captured.Amount, ["currency"] = context.Message.Captured.Currency });

    public Task Consume(ConsumeContext<OrderRefunded> context) =>
        Notify(context, context.Message.OrderId, "order.refunded", null,
            facts => NotificationTexts.Refunded(facts, context.Message.Refunded, context.Message.Reason),
            new JsonObject { ["refunded"] = context.Message.Refunded.Amount, ["currency"] = context.Message.Refunded.Currency, ["reason"] = context.Message.Reason });

    public Task Consume(ConsumeContext<OrderRejected> context) =>
        Notify(context, context.Message.OrderId, "order.rejected", null,
            facts => NotificationTexts.Rejected(facts, context.Message.Reason),
            new JsonObject { ["reason"] = context.Message.Reason.ToString() });

    public Task Consume(ConsumeContext<OrderCancelled> context) =>
        Notify(context, context.Message.OrderId, "order.cancelled", null, facts => NotificationTexts.Cancelled(facts), []);

    private async Task Notify(ConsumeContext context, Guid orderId, string kind, string? discriminator,
        Func<NotificationFacts, (string Title, string Text)> compose, JsonObject details, string? link = null, string? absoluteLink = null)
    {
        var facts = await book.Facts(orderId, context.CancellationToken);
        if (facts is null)
        {
            // An order placed before this engine kept its requests (or by a test harness): nobody to tell.
            LogUnknownOrder(logger, kind, orderId);
            return;
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        var (title, text) = compose(facts);
        var eventId = discriminator is null ? $"{kind}:{orderId:N}" : $"{kind}:{orderId:N}:{discriminator}";
        var url = absoluteLink ?? (link is null ? null : (settings.StorefrontUrl?.TrimEnd('/') ?? "") + link);
        var data = new JsonObject
        {
            ["orderId"] = orderId, ["customerId"] = facts.CustomerId, ["storeId"] = facts.StoreId, ["kind"] = kind, ["language"] = facts.Language,
            ["title"] = title, ["text"] = text, ["link"] = url, ["details"] = details,
        };
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0", ["id"] = eventId, ["source"] = $"{Source}:stores:{facts.StoreId}", ["type"] = "com.grocery." + kind,
            ["subject"] = orderId.ToString(), ["time"] = now, ["datacontenttype"] = "application/json", ["data"] = data,
        };
        var posted = !string.IsNullOrWhiteSpace(settings.Endpoint);
        var notification = new CustomerNotification(eventId, orderId, facts.CustomerId, kind, facts.Language, title, text, url,
            cloudEvent.ToJsonString(JsonOptions), now, posted);
        if (!await book.Add(notification, context.CancellationToken))
        {
            return;
        }

        book.Count(kind, "composed");
        if (posted)
        {
            await context.Publish(new SendCustomerNotification(orderId, eventId));
            return;
        }

        book.Count(kind, "logged");
        LogNotification(logger, kind, orderId, facts.CustomerId, facts.Language, title, text);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Kind} for order {OrderId} to customer {CustomerId} ({Language}), kept with the order (no Notifications:Endpoint): {Title}. {Text}")]
    private static partial void LogNotification(ILogger logger, string kind, Guid orderId, string customerId, string language, string title, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No notification {Kind} for order {OrderId}: the engine has no request of that order.")]
    private static partial void LogUnknownOrder(ILogger logger, string kind, Guid orderId);
}
