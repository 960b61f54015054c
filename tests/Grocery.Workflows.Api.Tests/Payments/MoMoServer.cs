using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>
/// A local server that speaks MoMo's documented payment API v2 (tests only): JSON POSTs to /v2/gateway/api/create
/// (captureWallet), /confirm (capture or cancel), /refund and /query, each checked against its HMAC-SHA256 signature
/// over the documented fields; a used requestId answers 40 and a used orderId 41, as MoMo does. The customer's answer
/// in the MoMo app is played with <see cref="Approve"/> or <see cref="Refuse"/>, which return the signed IPN MoMo would send.
/// </summary>
public sealed class MoMoServer : IAsyncDisposable
{
    public const string PartnerCode = "MOMOTEST01";
    public const string AccessKey = "access-key-test";
    public const string SecretKey = "secret-key-test";

    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, MoMoPayment> _payments = new();
    private readonly ConcurrentDictionary<string, bool> _requestIds = new();
    private readonly ConcurrentQueue<(string Path, int Status, TimeSpan Delay)> _faults = new();
    private readonly object _lock = new();
    private long _transactions = 4_000_000_000;

    public Uri BaseAddress => Loopback.AddressOf(_app);

    public ConcurrentQueue<(string Path, JsonObject Body)> Requests { get; } = new();

    public IReadOnlyDictionary<string, MoMoPayment> Payments => _payments;

    public static async Task<MoMoServer> Start()
    {
        var server = new MoMoServer();
        server._app = await Loopback.Start(app =>
            app.MapPost("/v2/gateway/api/{operation}", (HttpContext context, string operation) => server.Handle(context, operation)));
        return server;
    }

    public void FailNext(string operation, int status) => _faults.Enqueue((operation, status, TimeSpan.Zero));

    public void DelayNext(string operation, TimeSpan delay) => _faults.Enqueue((operation, 200, delay));

    /// <summary>The customer approves the payment in the app: it is held (9000). Returns the IPN body MoMo posts.</summary>
    public string Approve(string orderId, DateTimeOffset? sentAt = null, string secret = SecretKey)
    {
        var payment = _payments[orderId];
        payment.Status = 9000;
        payment.TransId = Interlocked.Increment(ref _transactions);
        return Ipn(payment, 9000, "Authorized", sentAt ?? DateTimeOffset.UtcNow, secret);
    }

    /// <summary>The customer refuses (1006) or lets the approval lapse (1005). Returns the IPN body.</summary>
    public string Refuse(string orderId, int code = 1006)
    {
        var payment = _payments[orderId];
        payment.Status = code;
        return Ipn(payment, code, "Transaction denied by user.", DateTimeOffset.UtcNow, SecretKey);
    }

    private static string Ipn(MoMoPayment payment, int code, string message, DateTimeOffset sentAt, string secret)
    {
        var responseTime = sentAt.ToUnixTimeMilliseconds();
        var raw = $"accessKey={AccessKey}&amount={payment.Amount}&extraData=&message={message}&orderId={payment.OrderId}&orderInfo={payment.OrderInfo}"
            + $"&orderType=momo_wallet&partnerCode={PartnerCode}&payType=qr&requestId={payment.RequestId}&responseTime={responseTime}"
            + $"&resultCode={code}&transId={payment.TransId}";
        return new JsonObject
        {
            ["partnerCode"] = PartnerCode, ["orderId"] = payment.OrderId, ["requestId"] = payment.RequestId, ["amount"] = payment.Amount,
            ["orderInfo"] = payment.OrderInfo, ["orderType"] = "momo_wallet", ["transId"] = payment.TransId, ["resultCode"] = code, ["message"] = message,
            ["payType"] = "qr", ["responseTime"] = responseTime, ["extraData"] = "", ["signature"] = Hmac(secret, raw),
        }.ToJsonString();
    }

    private async Task<IResult> Handle(HttpContext context, string operation)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Requests.Enqueue((operation, body));
        var delay = TimeSpan.Zero;
        if (_faults.TryPeek(out var fault) && fault.Path == operation && _faults.TryDequeue(out fault))
        {
            if (fault.Status >= 500)
            {
                return Results.StatusCode(fault.Status);
            }

            delay = fault.Delay;
        }

        JsonObject answer;
        lock (_lock)
        {
            answer = Route(operation, body);
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, CancellationToken.None);
        }

        return Results.Text(answer.ToJsonString(), "application/json", Encoding.UTF8, 200);
    }

    private JsonObject Route(string operation, JsonObject body)
    {
        string S(string name) => body[name]?.ToString() ?? "";
        var expected = operation switch
        {
            "create" => $"accessKey={AccessKey}&amount={S("amount")}&extraData={S("extraData")}&ipnUrl={S("ipnUrl")}&orderId={S("orderId")}"
                + $"&orderInfo={S("orderInfo")}&partnerCode={S("partnerCode")}&redirectUrl={S("redirectUrl")}&requestId={S("requestId")}&requestType={S("requestType")}",
            "confirm" => $"accessKey={AccessKey}&amount={S("amount")}&description={S("description")}&orderId={S("orderId")}&partnerCode={S("partnerCode")}"
                + $"&requestId={S("requestId")}&requestType={S("requestType")}",
            "refund" => $"accessKey={AccessKey}&amount={S("amount")}&description={S("description")}&orderId={S("orderId")}&partnerCode={S("partnerCode")}"
                + $"&requestId={S("requestId")}&transId={S("transId")}",
            "query" => $"accessKey={AccessKey}&orderId={S("orderId")}&partnerCode={S("partnerCode")}&requestId={S("requestId")}",
            _ => null,
        };
        if (expected is null)
        {
            return Answer(body, 12, "Unsupported API");
        }

        if (S("partnerCode") != PartnerCode || S("signature") != Hmac(SecretKey, expected))
        {
            return Answer(body, 13, "Merchant authentication failed.");
        }

        if (!_requestIds.TryAdd(S("requestId"), true))
        {
            return Answer(body, 40, "RequestId is duplicated.");
        }

        var amount = body["amount"] is { } given ? (long)given : 0;
        switch (operation)
        {
            case "create":
                if (_payments.ContainsKey(S("orderId")))
                {
                    return Answer(body, 41, "OrderId is duplicated.");
                }

                if (body["autoCapture"]?.GetValue<bool>() != false || S("requestType") != "captureWallet")
                {
                    return Answer(body, 20, "This test server only takes captureWallet with autoCapture=false.");
                }

                _payments[S("orderId")] = new MoMoPayment(S("orderId"), S("requestId"), amount, S("orderInfo"));
                var created = Answer(body, 0, "Successful.");
                created["payUrl"] = $"{BaseAddress}pay/{S("orderId")}";
                return created;
            case "confirm":
                if (!_payments.TryGetValue(S("orderId"), out var payment) || payment.Status != 9000)
                {
                    return Answer(body, 1080, "The payment is not authorized.");
                }

                if (S("requestType") == "cancel")
                {
                    payment.Status = 1003;
                    return Answer(body, 0, "Successful.", payment.TransId);
                }

                if (amount != payment.Amount)
                {
                    return Answer(body, 22, "The capture amount must be the authorized amount.");
                }

                payment.Status = 0;
                payment.Captured = amount;
                return Answer(body, 0, "Successful.", payment.TransId);
            case "refund":
                var captured = _payments.Values.FirstOrDefault(p => p.TransId.ToString(CultureInfo.InvariantCulture) == S("transId") && p.Status == 0);
                if (captured is null || captured.Refunded + amount > captured.Captured)
                {
                    return Answer(body, 1080, "Refund refused: more than captured, or no such transaction.");
                }

                captured.Refunded += amount;
                return Answer(body, 0, "Successful.", Interlocked.Increment(ref _transactions));
            default:
                return _payments.TryGetValue(S("orderId"), out var known)
                    ? Answer(body, known.Status, "Status.", known.TransId)
                    : Answer(body, 42, "OrderId does not exist.");
        }
    }

    private static JsonObject Answer(JsonObject request, int code, string message, long? transId = null)
    {
        var answer = new JsonObject
        {
            ["partnerCode"] = PartnerCode, ["orderId"] = request["orderId"]?.ToString(), ["requestId"] = request["requestId"]?.ToString(),
            ["resultCode"] = code, ["message"] = message, ["responseTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        if (request["amount"] is { } amount)
        {
            answer["amount"] = amount.DeepClone();
        }

        if (transId is not null)
        {
            answer["transId"] = transId;
        }

        return answer;
    }

    private static string Hmac(string secret, string raw) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(raw)));

    public ValueTask DisposeAsync() => Loopback.Stop(_app);
}

public sealed class MoMoPayment(string orderId, string requestId, long amount, string orderInfo)
{
    public string OrderId { get; } = orderId;
    public string RequestId { get; } = requestId;
    public long Amount { get; } = amount;
    public string OrderInfo { get; } = orderInfo;
    public int Status { get; set; } = 1000;
    public long TransId { get; set; }
    public long Captured { get; set; }
    public long Refunded { get; set; }
}
