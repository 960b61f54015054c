namespace Grocery.Workflows.Consumers.Payments;

public enum PaymentNotificationKind
{
    /// <summary>Nothing the engine acts on (acknowledged, recorded as seen).</summary>
    Ignored,

    /// <summary>The customer's payment method refused the authorization.</summary>
    Declined,

    /// <summary>The customer approved an authorization in the provider's app: the amount is held.</summary>
    Approved,

    /// <summary>The customer (or the wallet) refused an authorization asked in the provider's app.</summary>
    ApprovalRefused,

    /// <summary>The provider cancelled a hold (lapsed, cancelled outside the engine, or by the engine itself).</summary>
    AuthorizationCancelled,

    /// <summary>The refunds of a capture now total <see cref="PaymentNotification.Amount"/>.</summary>
    Refunded,

    /// <summary>The customer disputes a charge: a person must answer it in the provider's dashboard.</summary>
    Disputed,
}
