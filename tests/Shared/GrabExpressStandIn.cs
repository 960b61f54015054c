using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Tests.Shared;

/// <summary>What the stand-in's courier does with a delivery once it is created.</summary>
public enum GrabCourierPlan
{
    /// <summary>A driver takes it, picks it up and delivers it.</summary>
    Deliver,

    /// <summary>A driver takes it, then cancels before pick-up (Grab reports CANCELED).</summary>
    DriverCancels,

    /// <summary>Nothing happens: the test drives the webhooks itself.</summary>
    Silent,
}

/// <summary>
/// A local server that speaks GrabExpress's Delivery API as Grab documents it (tests only): the OAuth2 client-credentials
/// token at <c>/grabid/v1/oauth2/token</c> (JSON body, scope <c>grab_express.partner_deliveries</c>), and under
/// <c>/grab-express-sandbox</c> the quotes, create, get and cancel of <c>/v1/deliveries</c> and the cancel by merchant
/// order id, each with the bearer token checked. A created delivery plays its <see cref="GrabCourierPlan"/> by posting
/// Grab's status webhooks (<c>deliveryID</c>, <c>merchantOrderID</c>, <c>status</c>, Unix-seconds <c>timestamp</c>,
/// <c>driver</c>, <c>trackURL</c>) to <see cref="WebhookTarget"/> with the agreed <c>Authorization</c> header.
/// </summary>
public sealed class GrabExpressStandIn : IAsyncDisposable
{
    public const string ClientId = "grab-client-test";
    public const string ClientSecret = "grab-secret-test";
    public const string WebhookSecret = "grab-webhook-credential-test";
    public const string SandboxPath = "/grab-express-sandbox";

    private static readonly string[] Cancellable = ["ALLOCATING", "PENDING_PICKUP", "PICKING_UP"];
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _tokens = new();
    private readonly ConcurrentQueue<int> _failNextCreate = new();
    private readonly List<Task> _playing = [];
    private readonly ConcurrentBag<double> _refusedLatitudes = [];
    private long _sequence;
    private long _clock = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private GrabExpressStandIn(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    /// <summary>The engine's <c>Grab:ApiBase</c>.</summary>
    public string ApiBase => BaseAddress.ToString().TrimEnd('/') + SandboxPath;

    /// <summary>The engine's <c>Grab:TokenUrl</c>.</summary>
    public string TokenUrl => BaseAddress.ToString().TrimEnd('/') + "/grabid/v1/oauth2/token";

    /// <summary>Where the webhooks go, and with what: an HTTP client whose base address is the engine.</summary>
    public HttpClient? WebhookTarget { get; set; }

    /// <summary>The plan of the n-th delivery created (from 1); later ones take the last.</summary>
    public List<GrabCourierPlan> Plans { get; } = [GrabCourierPlan.Deliver];

    /// <summary>Pause before each webhook, as a real courier takes time.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(100);

    public int TokensIssued => _tokens.Count;

    public ConcurrentDictionary<string, JsonObject> Deliveries { get; } = new();

    /// <summary>Every request by path and method, with its body: what the engine sent.</summary>
    public ConcurrentQueue<(string Method, string Path, JsonObject? Body)> Requests { get; } = new();

    /// <summary>Every webhook posted, and what the engine answered.</summary>
    public ConcurrentQueue<(JsonObject Body, HttpStatusCode Status)> Webhooks { get; } = new();

    public static async Task<GrabExpressStandIn> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        GrabExpressStandIn? grab = null;
        app.MapPost("/grabid/v1/oauth2/token", (HttpRequest request) => grab!.Token(request.HttpContext));
        app.MapPost(SandboxPath + "/v1/deliveries/quotes", (HttpRequest request) => grab!.Authorized(request.HttpContext, Quote));
        app.MapPost(SandboxPath + "/v1/deliveries", (HttpRequest request) => grab!.Authorized(request.HttpContext, body => grab.Create(body)));
        app.MapGet(SandboxPath + "/v1/deliveries/{id}", (HttpContext context, string id) => grab!.Authorized(context, _ => grab.Get(id)));
        app.MapDelete(SandboxPath + "/v1/deliveries/{id}", (HttpContext context, string id) => grab!.Authorized(context, _ => grab.Cancel(id)));
        app.MapDelete(SandboxPath + "/v1/merchant/deliveries/{merchantOrderId}",
            (HttpContext context, string merchantOrderId) => grab!.Authorized(context, _ => grab.CancelMerchantOrder(merchantOrderId)));
        await app.StartAsync();
        grab = new GrabExpressStandIn(app);
        return grab;
    }

    /// <summary>The next create answers <paramref name="status"/> (a 5xx, a 429) instead.</summary>
    public void FailNextCreate(int status) => _failNextCreate.Enqueue(status);

    /// <summary>Creates for a destination at this latitude are refused as Grab refuses a drop-off beyond its reach.</summary>
    public void RefuseCreatesNear(double latitude) => _refusedLatitudes.Add(latitude);

    /// <summary>Revokes every token issued: the next call with one answers 401.</summary>
    public void RevokeTokens() => _tokens.Clear();

    /// <summary>Posts a status webhook for a delivery, as Grab does; <paramref name="at"/> defaults to the stand-in's clock, a second after the last.</summary>
    public async Task<HttpStatusCode> Push(string deliveryId, string status, string? failedReason = null, long? at = null, string authorization = WebhookSecret)
    {
        var delivery = Deliveries[deliveryId];
        lock (delivery)
        {
            delivery["status"] = status;
        }

        var body = new JsonObject
        {
            ["deliveryID"] = deliveryId, ["merchantOrderID"] = delivery["merchantOrderID"]!.GetValue<string>(), ["status"] = status,
            ["timestamp"] = at ?? Interlocked.Increment(ref _clock), ["trackURL"] = $"https://express.grab.com/track/{deliveryId}",
            ["driver"] = status is "ALLOCATING" or "QUEUEING" ? null : new JsonObject
            {
                ["name"] = "Nguyen Van An", ["phone"] = "84900000001", ["licensePlate"] = "59X1-234.56", ["currentLat"] = 10.77, ["currentLng"] = 106.70,
            },
        };
        if (failedReason is not null)
        {
            body["failedReason"] = failedReason;
        }

        if (WebhookTarget is null)
        {
            throw new InvalidOperationException("Set WebhookTarget: the stand-in has nowhere to post its webhooks.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/couriers/grab")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await WebhookTarget.SendAsync(request);
        Webhooks.Enqueue((body, response.StatusCode));
        return response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        Task[] playing;
        lock (_playing)
        {
            playing = [.. _playing];
        }

        try
        {
            await Task.WhenAll(playing);
        }
        catch (HttpRequestException)
        {
            // The engine went first.
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> Token(HttpContext context)
    {
        var body = await Read(context);
        Requests.Enqueue(("POST", context.Request.Path, body));
        if (body?["client_id"]?.GetValue<string>() != ClientId || body["client_secret"]?.GetValue<string>() != ClientSecret
            || body["grant_type"]?.GetValue<string>() != "client_credentials" || body["scope"]?.GetValue<string>() != "grab_express.partner_deliveries")
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_client" }, statusCode: 401);
        }

        var token = "grab-token-" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        _tokens[token] = true;
        return Results.Json(new JsonObject { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = 604799 });
    }

    private async Task<IResult> Authorized(HttpContext context, Func<JsonObject?, IResult> handle)
    {
        var body = context.Request.ContentLength > 0 || context.Request.Method == "POST" ? await Read(context) : null;
        Requests.Enqueue((context.Request.Method, context.Request.Path, body));
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(header[7..]))
        {
            return Results.Json(new JsonObject { ["message"] = "Unauthorized" }, statusCode: 401);
        }

        return handle(body);
    }

    private static IResult Quote(JsonObject? body)
    {
        if (Invalid(body) is { } problem)
        {
            return problem;
        }

        var now = DateTimeOffset.UtcNow;
        return Results.Json(new JsonObject
        {
            ["quotes"] = new JsonArray(new JsonObject
            {
                ["service"] = new JsonObject { ["id"] = 0, ["type"] = body!["serviceType"]?.GetValue<string>() ?? "INSTANT", ["name"] = "GrabExpress" },
                ["currency"] = new JsonObject { ["code"] = "VND", ["symbol"] = "₫", ["exponent"] = 0 },
                ["amount"] = 32000.0,
                ["estimatedTimeline"] = new JsonObject { ["pickup"] = now.AddMinutes(10).ToString("O"), ["dropoff"] = now.AddMinutes(40).ToString("O") },
                ["distance"] = 4300,
            }),
            ["origin"] = body["origin"]!.DeepClone(), ["destination"] = body["destination"]!.DeepClone(), ["packages"] = body["packages"]!.DeepClone(),
        });
    }

    private IResult Create(JsonObject? body)
    {
        if (_failNextCreate.TryDequeue(out var status))
        {
            return Results.Json(new JsonObject { ["message"] = "Internal error" }, statusCode: status);
        }

        if (Invalid(body) is { } problem)
        {
            return problem;
        }

        var latitude = body!["destination"]!["coordinates"]!["latitude"]!.GetValue<double>();
        if (_refusedLatitudes.Any(l => Math.Abs(l - latitude) < 0.001))
        {
            return Results.Json(new JsonObject { ["arg"] = "Code: 105. Reason: Distance SLA exceeded" }, statusCode: 400);
        }

        var merchantOrderId = body["merchantOrderID"]?.GetValue<string>();
        var recipient = body["recipient"] as JsonObject;
        var sender = body["sender"] as JsonObject;
        if (string.IsNullOrEmpty(merchantOrderId) || body["serviceType"] is null || recipient?["firstName"] is null || sender?["firstName"] is null
            || recipient["smsEnabled"] is null || recipient["phone"]?.GetValue<string>() is not { } phone || phone.StartsWith('+'))
        {
            return Results.Json(new JsonObject { ["arg"] = "Code: 400. Reason: Invalid parameters" }, statusCode: 400);
        }

        var number = Interlocked.Increment(ref _sequence);
        var deliveryId = $"IN-2-{number:D6}SANDBOX";
        var delivery = new JsonObject
        {
            ["deliveryID"] = deliveryId, ["merchantOrderID"] = merchantOrderId, ["paymentMethod"] = "CASHLESS", ["payer"] = "SENDER",
            ["quote"] = new JsonObject
            {
                ["service"] = new JsonObject { ["id"] = 0, ["type"] = body["serviceType"]!.DeepClone(), ["name"] = "GrabExpress" },
                ["currency"] = new JsonObject { ["code"] = "VND", ["symbol"] = "₫", ["exponent"] = 0 }, ["amount"] = 32000.0, ["distance"] = 4300,
            },
            ["sender"] = sender.DeepClone(), ["recipient"] = recipient.DeepClone(), ["status"] = "ALLOCATING", ["trackingURL"] = "", ["courier"] = null,
        };
        Deliveries[deliveryId] = delivery;
        var plan = Plans[Math.Min(Deliveries.Count, Plans.Count) - 1];
        if (plan != GrabCourierPlan.Silent)
        {
            lock (_playing)
            {
                _playing.Add(Task.Run(() => Play(deliveryId, plan)));
            }
        }

        return Results.Json(delivery);
    }

    private IResult Get(string id) =>
        Deliveries.TryGetValue(id, out var delivery) ? Results.Json(delivery) : Results.Json(new JsonObject { ["message"] = "Delivery not found" }, statusCode: 404);

    private IResult Cancel(string id)
    {
        if (!Deliveries.TryGetValue(id, out var delivery))
        {
            return Results.Json(new JsonObject { ["message"] = "Delivery not found" }, statusCode: 404);
        }

        lock (delivery)
        {
            if (!Cancellable.Contains(delivery["status"]!.GetValue<string>()))
            {
                return Results.Json(new JsonObject { ["message"] = "Unable to cancel: the delivery is already picked up" }, statusCode: 409);
            }

            delivery["status"] = "CANCELED";
        }

        return Results.NoContent();
    }

    private IResult CancelMerchantOrder(string merchantOrderId)
    {
        var matching = Deliveries.Values.Where(d => d["merchantOrderID"]!.GetValue<string>() == merchantOrderId).ToList();
        foreach (var delivery in matching)
        {
            lock (delivery)
            {
                if (Cancellable.Contains(delivery["status"]!.GetValue<string>()))
                {
                    delivery["status"] = "CANCELED";
                }
            }
        }

        return matching.Count == 0 ? Results.Json(new JsonObject { ["message"] = "Delivery not found" }, statusCode: 404) : Results.NoContent();
    }

    private async Task Play(string deliveryId, GrabCourierPlan plan)
    {
        await Task.Delay(Step);
        await Push(deliveryId, "ALLOCATING");
        await Task.Delay(Step);
        await Push(deliveryId, "PICKING_UP");
        await Task.Delay(Step);
        if (plan == GrabCourierPlan.DriverCancels)
        {
            await Push(deliveryId, "CANCELED", "2|Driver canceled");
            return;
        }

        await Push(deliveryId, "IN_DELIVERY");
        await Task.Delay(Step);
        await Push(deliveryId, "COMPLETED");
    }

    /// <summary>Packages with dimensions (weight in grams), an origin and a destination with an address and coordinates: Grab's 400 otherwise.</summary>
    private static IResult? Invalid(JsonObject? body)
    {
        var packages = body?["packages"] as JsonArray;
        var places = new[] { body?["origin"] as JsonObject, body?["destination"] as JsonObject };
        var valid = packages is { Count: > 0 }
            && packages.All(p => p?["name"] is not null && p["quantity"] is not null && p["dimensions"]?["weight"] is not null)
            && Array.TrueForAll(places, p => p?["address"]?.GetValue<string>() is { Length: > 0 } && p["coordinates"]?["latitude"] is not null && p["coordinates"]?["longitude"] is not null);
        return valid ? null : Results.Json(new JsonObject { ["arg"] = "Code: 400. Reason: Invalid parameters" }, statusCode: 400);
    }

    private static async Task<JsonObject?> Read(HttpContext context)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
