using System.Globalization;
using System.Text;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Substitutions;

namespace Grocery.Workflows.Consumers.Notifications;

/// <summary>
/// What the customer reads, in Vietnamese or English, with money and times as the store's customers write them:
/// <c>125.000 ₫</c> and <c>14:30 03/12/2026</c> in Vietnamese; <c>S$12.50</c> and <c>3 Dec 2026, 14:30</c> in English.
/// Written by hand rather than through cultures: the engine runs with invariant globalization.
/// </summary>
public static class NotificationTexts
{
    public const string Vietnamese = "vi";
    public const string English = "en";

    /// <summary>The order's language when the customer chose none: Vietnamese for a store that sells in dong, English elsewhere.</summary>
    public static string DefaultFor(string currency) => currency == "VND" ? Vietnamese : English;

    public static (string Title, string Text) Confirmed(NotificationFacts facts, Money authorized) =>
        facts.Language == Vietnamese
            ? ("Đơn hàng đã được xác nhận",
                $"{facts.StoreName} đã nhận đơn hàng của bạn. Đã tạm giữ {Format(authorized, facts)} trên phương thức thanh toán; bạn chỉ trả cho những gì được lấy.")
            : ("Your order is confirmed",
                $"{facts.StoreName} has your order. {Format(authorized, facts)} is held on your payment method; you pay only for what is picked.");

    public static (string Title, string Text) SubstitutionsProposed(NotificationFacts facts, SubstitutionsProposed proposal)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(proposal);
        var vi = facts.Language == Vietnamese;
        var text = new StringBuilder(vi
            ? $"Một số sản phẩm đã hết. Vui lòng chọn trước {Time(proposal.DecideBy, facts)}:"
            : $"Some items are out of stock. Please decide by {Time(proposal.DecideBy, facts)}:");
        foreach (var line in proposal.Lines)
        {
            text.Append("\n- ").Append(line.Name).Append(" × ").Append(Quantity(line.MissingQuantity, vi)).Append(": ");
            if (line.Substitute is not { } substitute)
            {
                text.Append(vi ? "không có sản phẩm thay thế; sẽ được hoàn tiền." : "no replacement; it will be refunded.");
                continue;
            }

            var ordered = facts.Lines.FirstOrDefault(l => l.Sku == line.Sku);
            var difference = Amount(substitute.UnitPrice * substitute.Quantity) - (ordered is null ? 0 : Amount(ordered.UnitPrice * line.MissingQuantity));
            var sign = Math.Sign(difference) switch { 1 => "+", -1 => "−", _ => "±" };
            text.Append(vi ? "thay bằng " : "replace with ").Append(substitute.Name).Append(" (")
                .Append(sign).Append(Format(new Money(Math.Abs(difference), facts.Currency), facts)).Append(')');
        }

        return (vi ? "Cần bạn chọn sản phẩm thay thế" : "Choose your replacements", text.ToString());
    }

    public static (string Title, string Text) OutForDelivery(NotificationFacts facts, CourierFacts? courier)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (courier?.Courier is not { Length: > 0 } name)
        {
            return facts.Language == Vietnamese
                ? ("Đơn hàng đang được giao", "Đơn hàng của bạn đã rời cửa hàng.")
                : ("Your order is on its way", "Your order has left the store.");
        }

        var who = StripProvider(name);
        return facts.Language == Vietnamese
            ? ("Đơn hàng đang được giao", $"Tài xế {who} đang giao đơn hàng của bạn.")
            : ("Your order is on its way", $"{who} is bringing your order.");
    }

    public static (string Title, string Text) Delivered(NotificationFacts facts, Money captured) =>
        facts.Language == Vietnamese
            ? ("Đã giao hàng", $"Đơn hàng đã được giao. Số tiền thanh toán: {Format(captured, facts)}. Cảm ơn bạn!")
            : ("Your order was delivered", $"It arrived. You paid {Format(captured, facts)}. Thank you!");

    public static (string Title, string Text) Refunded(NotificationFacts facts, Money refunded, string reason) =>
        facts.Language == Vietnamese
            ? ("Đơn hàng đã được hoàn tiền", $"Rất tiếc, chúng tôi không thể giao đơn hàng. Chúng tôi đã hoàn {Format(refunded, facts)}.")
            : ("Your order was refunded", $"We could not deliver your order ({reason}). {Format(refunded, facts)} has been refunded.");

    public static (string Title, string Text) Rejected(NotificationFacts facts, OrderRejectionReason reason) =>
        facts.Language == Vietnamese
            ? ("Không thể thực hiện đơn hàng", $"Đơn hàng không thực hiện được: {Why(reason, vi: true)}. Bạn không bị trừ tiền.")
            : ("We could not take your order", $"Your order could not go ahead: {Why(reason, vi: false)}. You have not been charged.");

    public static (string Title, string Text) Cancelled(NotificationFacts facts) =>
        facts.Language == Vietnamese
            ? ("Đơn hàng đã được hủy", "Đơn hàng đã được hủy theo yêu cầu. Khoản tạm giữ đã được hoàn lại.")
            : ("Your order is cancelled", "Your order was cancelled as asked. The hold on your payment method has been released.");

    /// <summary>Money as the store's customers write it: dong without decimals and with dots; others with two decimals.</summary>
    public static string Format(Money money, NotificationFacts facts)
    {
        ArgumentNullException.ThrowIfNull(money);
        ArgumentNullException.ThrowIfNull(facts);
        var vi = facts.Language == Vietnamese;
        var decimals = money.Currency == "VND" ? 0 : 2;
        var value = decimals == 0 ? money.Amount : money.Amount / 100m;
        var number = value.ToString(decimals == 0 ? "#,0" : "#,0.00", CultureInfo.InvariantCulture);
        if (vi)
        {
            // 1,234,567.89 -> 1.234.567,89
            number = number.Replace(",", "\u0001", StringComparison.Ordinal).Replace(".", ",", StringComparison.Ordinal).Replace("\u0001", ".", StringComparison.Ordinal);
        }

        return money.Currency switch
        {
            "VND" => vi ? $"{number} ₫" : $"₫{number}",
            "SGD" => $"S${number}",
            "THB" => $"฿{number}",
            _ => $"{number} {money.Currency}",
        };
    }

    /// <summary>A time in the store's zone: <c>14:30 03/12/2026</c> (vi) or <c>3 Dec 2026, 14:30</c> (en).</summary>
    public static string Time(DateTimeOffset at, NotificationFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(facts.TimeZone));
        return facts.Language == Vietnamese
            ? local.ToString("HH:mm dd/MM/yyyy", CultureInfo.InvariantCulture)
            : local.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
    }

    private static long Amount(decimal minor) => (long)Math.Round(minor, MidpointRounding.AwayFromZero);

    private static string Quantity(decimal quantity, bool vi)
    {
        var text = quantity.ToString("0.###", CultureInfo.InvariantCulture);
        return vi ? text.Replace('.', ',') : text;
    }

    private static string StripProvider(string courier) => courier.StartsWith("grab: ", StringComparison.Ordinal) ? courier[6..] : courier;

    private static string Why(OrderRejectionReason reason, bool vi) => (reason, vi) switch
    {
        (OrderRejectionReason.SlotHoldExpired, true) => "khung giờ giao hàng đã hết hạn giữ chỗ",
        (OrderRejectionReason.SlotHoldExpired, false) => "the delivery slot was no longer held for you",
        (OrderRejectionReason.SlotCutOffPassed, true) => "đã quá giờ chốt đơn của khung giờ giao hàng",
        (OrderRejectionReason.SlotCutOffPassed, false) => "the delivery slot's cut-off passed",
        (OrderRejectionReason.PaymentDeclined, true) => "thanh toán bị từ chối",
        (OrderRejectionReason.PaymentDeclined, false) => "the payment was declined",
        (OrderRejectionReason.PaymentFailed, true) => "không thể xử lý thanh toán",
        (OrderRejectionReason.PaymentFailed, false) => "the payment could not be processed",
        (OrderRejectionReason.CaptureFailed, true) => "không thể thu tiền cho các sản phẩm đã lấy",
        (OrderRejectionReason.CaptureFailed, false) => "the picked total could not be charged",
        (OrderRejectionReason.NothingToDeliver, true) => "tất cả sản phẩm đều đã hết",
        (OrderRejectionReason.NothingToDeliver, false) => "every item was out of stock",
        (_, true) => "lỗi không xác định",
        _ => "an unexpected problem",
    };
}
