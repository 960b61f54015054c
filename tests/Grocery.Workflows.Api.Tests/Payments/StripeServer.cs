using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>
/// A local server that speaks Stripe's documented wire format for what the engine uses (tests only): form-encoded
/// POSTs to /v1/payment_intents (create with manual capture and confirm), /{id}/capture, /{id}/cancel and /v1/refunds,
/// JSON answers, errors as <c>{"error": {...}}</c> with 402 for card errors, and idempotency keys replayed as Stripe
/// does (the same key answers the stored response; the same key with other parameters is a 400 idempotency_error).
/// Test PaymentMethods: pm_card_visa authorizes; pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds and
/// pm_card_authenticationRequired are refused. Failures can be injected: a 5xx, or an answer slower than the client waits.
/// </summary>
public sealed class StripeServer : IAsyncDisposable
{
    public const string ApiKey = "sk_test_local";
    public const string WebhookSecret = "whsec_local_test_secret";

    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, JsonObject> _intents = new();
    private readonly ConcurrentDictionary<string, (string Body, int Status, string Response)> _idempotent = new();
    private readonly ConcurrentQueue<(string PathPrefix, int Status, TimeSpan Delay)> _faults = new();
    private readonly object _lock = new();
    private int _ids;

    public Uri BaseAddress => Loopback.AddressOf(_app);

    /// <summary>Every request in arrival order.</summary>
    public ConcurrentQueue<StripeRequest> Requests { get; } = new();

    public IReadOnlyCollection<JsonObject> Intents => [.. _intents.Values];

    public static async Task<StripeServer> Start()
    {
        var server = new StripeServer();
        server._app = await Loopback.Start(app =>
            app.MapPost("/v1/{**path}", (HttpContext context, string path) => server.Handle(context, path)));
        return server;
    }

    /// <summary>The next request whose path starts with <paramref name="pathPrefix"/> fails with <paramref name="status"/>.</summary>
    public void FailNext(string pathPrefix, int status) => _faults.Enqueue((pathPrefix, status, TimeSpan.Zero));

    /// <summary>The next matching request is carried out but answered only after <paramref name="delay"/> (a lost answer).</summary>
    public void DelayNext(string pathPrefix, TimeSpan delay) => _faults.Enqueue((pathPrefix, 200, delay));

    public JsonObject Intent(string id) => _intents[id];

    /// <summary>A webhook body and its Stripe-Signature header, signed at <paramref name="at"/> with <paramref name="secret"/>.</summary>
    public static (string Body, string Signature) SignedEvent(string id, string type, JsonObject data, DateTimeOffset at, string secret = WebhookSecret)
    {
        var body = new JsonObject
        {
            ["id"] = id, ["object"] = "event", ["api_version"] = "2026-10-28.endive", ["created"] = at.ToUnixTimeSeconds(), ["type"] = type,
            ["livemode"] = false, ["pending_webhooks"] = 1, ["data"] = new JsonObject { ["object"] = data.DeepClone() },
        }.ToJsonString();
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return (body, $"t={timestamp},v1={Convert.ToHexStringLower(mac)}");
    }

    private async Task<IResult> Handle(HttpContext context, string path)
    {
        var form = await context.Request.ReadFormAsync();
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        var body = string.Join("&", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
        Requests.Enqueue(new StripeRequest(path, key, fields, context.Request.Headers.Authorization.ToString()));

        if (context.Request.Headers.Authorization.ToString() != "Bearer " + ApiKey)
        {
            return Error(401, "invalid_request_error", null, "Invalid API Key provided.");
        }

        TimeSpan delay = TimeSpan.Zero;
        if (_faults.TryPeek(out var fault) && path.StartsWith(fault.PathPrefix, StringComparison.Ordinal) && _faults.TryDequeue(out fault))
        {
            if (fault.Status >= 500)
            {
                return Error(fault.Status, "api_error", null, "An unexpected error occurred (injected).");
            }

            delay = fault.Delay;
        }

        (int Status, string Response) answer;
        lock (_lock)
        {
            if (key.Length > 0 && _idempotent.TryGetValue(key, out var stored))
            {
                answer = stored.Body == body
                    ? (stored.Status, stored.Response)
                    : (400, ErrorJson("idempotency_error", null, "Keys for idempotent requests can only be used with the same parameters they were first used with."));
            }
            else
            {
                answer = Route(path, fields);
                if (key.Length > 0)
                {
                    _idempotent[key] = (body, answer.Status, answer.Response);
                }
            }
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, CancellationToken.None);
        }

        context.Response.Headers["Request-Id"] = $"req_{Interlocked.Increment(ref _ids)}";
        return Results.Text(answer.Response, "application/json", Encoding.UTF8, answer.Status);
    }

    private (int Status, string Response) Route(string path, Dictionary<string, string> form)
    {
        var parts = path.Split('/');
        return parts switch
        {
            ["payment_intents"] => Create(form),
            ["payment_intents", var id, "capture"] => WithIntent(id, intent => Capture(intent, form)),
            ["payment_intents", var id, "cancel"] => WithIntent(id, Cancel),
            ["refunds"] => WithIntent(form.GetValueOrDefault("payment_intent") ?? "", intent => Refund(intent, form)),
            _ => (404, ErrorJson("invalid_request_error", "resource_missing", $"Unrecognized request URL (POST: /v1/{path}).")),
        };
    }

    private (int, string) Create(Dictionary<string, string> form)
    {
        var id = $"pi_{Interlocked.Increment(ref _ids):D6}";
        var amount = long.Parse(form["amount"], System.Globalization.CultureInfo.InvariantCulture);
        var metadata = new JsonObject();
        foreach (var (k, v) in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[k["metadata[".Length..^1]] = v;
        }

        var intent = new JsonObject
        {
            ["id"] = id, ["object"] = "payment_intent", ["amount"] = amount, ["amount_capturable"] = 0, ["amount_received"] = 0,
            ["currency"] = form["currency"], ["capture_method"] = form.GetValueOrDefault("capture_method") ?? "automatic",
            ["payment_method"] = form.GetValueOrDefault("payment_method"), ["metadata"] = metadata, ["status"] = "requires_payment_method",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["livemode"] = false, ["latest_charge"] = null,
        };
        _intents[id] = intent;
        var decline = form.GetValueOrDefault("payment_method") switch
        {
            "pm_card_visa" => null,
            "pm_card_chargeDeclined" => ("card_declined", "generic_decline"),
            "pm_card_chargeDeclinedInsufficientFunds" => ("card_declined", "insufficient_funds"),
            "pm_card_authenticationRequired" => ("authentication_required", (string?)null),
            _ => ((string, string?)?)("resource_missing", null),
        };
        if (decline is { } d)
        {
            return d.Item1 == "resource_missing"
                ? (400, ErrorJson("invalid_request_error", "resource_missing", "No such PaymentMethod.", intent))
                : (402, ErrorJson("card_error", d.Item1, "Your card was declined.", intent, d.Item2));
        }

        var charge = $"ch_{id[3..]}";
        intent["status"] = form.GetValueOrDefault("capture_method") == "manual" ? "requires_capture" : "succeeded";
        intent["amount_capturable"] = amount;
        intent["latest_charge"] = form.Keys.Any(k => k.StartsWith("expand", StringComparison.Ordinal))
            ? new JsonObject
            {
                ["id"] = charge, ["object"] = "charge", ["amount"] = amount, ["captured"] = false, ["currency"] = form["currency"], ["payment_intent"] = id,
                ["payment_method_details"] = new JsonObject
                {
                    ["type"] = "card",
                    ["card"] = new JsonObject { ["brand"] = "visa", ["last4"] = "4242", ["capture_before"] = DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeSeconds() },
                },
            }
            : charge;
        return (200, intent.ToJsonString());
    }

    private (int, string) WithIntent(string id, Func<JsonObject, (int, string)> action) =>
        _intents.TryGetValue(id, out var intent)
            ? action(intent)
            : (404, ErrorJson("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));

    private static (int, string) Capture(JsonObject intent, Dictionary<string, string> form)
    {
        if ((string?)intent["status"] != "requires_capture")
        {
            return (400, ErrorJson("invalid_request_error", "payment_intent_unexpected_state",
                $"This PaymentIntent could not be captured because it has a status of {intent["status"]}.", intent));
        }

        var capturable = (long)intent["amount_capturable"]!;
        var amount = form.TryGetValue("amount_to_capture", out var given) ? long.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : capturable;
        if (amount > capturable)
        {
            return (400, ErrorJson("invalid_request_error", "amount_too_large", "amount_to_capture must be less than or equal to amount_capturable.", intent));
        }

        intent["status"] = "succeeded";
        intent["amount_received"] = amount;
        intent["amount_capturable"] = 0;
        return (200, intent.ToJsonString());
    }

    private static (int, string) Cancel(JsonObject intent)
    {
        if ((string?)intent["status"] is "succeeded" or "canceled")
        {
            return (400, ErrorJson("invalid_request_error", "payment_intent_unexpected_state",
                $"You cannot cancel this PaymentIntent because it has a status of {intent["status"]}.", intent));
        }

        intent["status"] = "canceled";
        intent["cancellation_reason"] = "abandoned";
        intent["amount_capturable"] = 0;
        return (200, intent.ToJsonString());
    }

    private (int, string) Refund(JsonObject intent, Dictionary<string, string> form)
    {
        var received = (long)intent["amount_received"]!;
        var refunded = (long?)intent["amount_refunded_total"] ?? 0;
        var amount = form.TryGetValue("amount", out var given) ? long.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : received - refunded;
        if ((string?)intent["status"] != "succeeded" || amount > received - refunded)
        {
            return (400, ErrorJson("invalid_request_error", "charge_already_refunded", "The refund exceeds what is left of the charge."));
        }

        intent["amount_refunded_total"] = refunded + amount;
        return (200, new JsonObject
        {
            ["id"] = $"re_{Interlocked.Increment(ref _ids):D6}", ["object"] = "refund", ["amount"] = amount, ["currency"] = intent["currency"]?.GetValue<string>(),
            ["payment_intent"] = intent["id"]?.GetValue<string>(), ["status"] = "succeeded",
        }.ToJsonString());
    }

    private static IResult Error(int status, string type, string? code, string message) =>
        Results.Text(ErrorJson(type, code, message), "application/json", Encoding.UTF8, status);

    private static string ErrorJson(string type, string? code, string message, JsonObject? intent = null, string? declineCode = null)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
        }

        if (declineCode is not null)
        {
            error["decline_code"] = declineCode;
        }

        if (intent is not null)
        {
            error["payment_intent"] = JsonNode.Parse(intent.ToJsonString());
        }

        return new JsonObject { ["error"] = error }.ToJsonString();
    }

    public ValueTask DisposeAsync() => Loopback.Stop(_app);
}

public sealed record StripeRequest(string Path, string IdempotencyKey, IReadOnlyDictionary<string, string> Form, string Authorization);
