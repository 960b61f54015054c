namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// A provider's notifications (webhooks), registered under the provider's name: <c>POST /api/webhooks/{name}</c>
/// reaches it. The engine hands over the body exactly as it came, so the signature is checked over the bytes signed.
/// </summary>
public interface IPaymentWebhook
{
    /// <summary>
    /// Verifies the notification (signature, age, account) and reads it in the engine's terms. Throws
    /// <see cref="PaymentNotificationRejectedException"/> for one that is not the provider's or cannot be read.
    /// </summary>
    /// <param name="body">The request body as text.</param>
    /// <param name="header">A request header by name (empty when absent).</param>
    PaymentNotification Read(string body, Func<string, string> header);

    /// <summary>True when the provider wants 204 No Content once a notification is taken, rather than 200 with the outcome.</summary>
    bool AnswersNoContent => false;
}
