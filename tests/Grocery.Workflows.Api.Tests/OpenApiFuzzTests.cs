using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Api.Tests.Fuzzing;
using Grocery.Workflows.Api.Tests.Payments;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Host.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// Bad input for every operation of the engine's OpenAPI document (/openapi/v1.json, read from the running host):
/// each declared path, query and header parameter and each field of the body given values of the wrong type, at and
/// past the boundaries, too long or no text at all, and the body as a whole malformed, too large or of another type.
/// Bodies the document does not describe come from <see cref="Shapes"/>; the webhooks' are signed, so that they get
/// past the signature to the reading behind it. What must hold: no answer is a 5xx; a caller without a role the route
/// admits gets its 401 or 403 before anything looks at the input, alike for good and bad input, and one it admits is
/// never refused; every 4xx is problem+json and leaves every table as it was, but for the audit trail's one row of a
/// refused action. The requests come from a fixed seed (GROCERY_FUZZ_SEED to try another); a failure names the seed
/// and the request.
/// </summary>
public sealed class OpenApiFuzzTests(OpenApiFuzzTests.Host host, ITestOutputHelper output) : IClassFixture<OpenApiFuzzTests.Host>
{
    /// <summary>
    /// Every parameter's values and most of every body field's: only the order and the webhook bodies have more (300 to
    /// 500), and an order that is taken runs through the simulator before the next case, so the cap keeps the run short.
    /// </summary>
    private const int MaxCasesPerOperation = 200;

    /// <summary>Bad inputs per operation that each refused caller with a token sends, besides the valid request (one without a token sends them all).</summary>
    private const int RefusedInputsPerOperation = 6;

    private static readonly string[] ProblemFields = ["type", "title", "status", "detail", "instance", "traceId"];

    private static string Day(int daysAhead) => DateTime.UtcNow.AddDays(daysAhead).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_document_describes_every_route_and_every_body_is_known_to_the_fuzzer()
    {
        (await FuzzOperation.Undocumented(host.Document, host.Factory.Services)).ShouldBeEmpty("routes under /api that /openapi/v1.json leaves out");
        host.Operations.Count.ShouldBeGreaterThan(20);
        foreach (var operation in host.Operations.Where(o => o.Method is "POST" or "PUT" or "PATCH"))
        {
            (operation.Bodies.Count > 0 || Shapes.ContainsKey(operation.Name))
                .ShouldBeTrue($"{operation.Name} documents no body and OpenApiFuzzTests.Shapes has none for it: add its shape (or Body.None)");
        }

        foreach (var operation in host.Operations.Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            ((operation.Roles is null) == operation.Path.StartsWith("/api/webhooks/", StringComparison.Ordinal))
                .ShouldBeTrue($"{operation.Name}: only webhooks are open (roles: {string.Join(", ", operation.Roles ?? ["anyone"])})");
        }
    }

    [Fact]
    public async Task Callers_without_an_admitted_role_get_401_or_403_before_anything_reads_their_input()
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var sent = 0;
        var issuer = host.Factory.Services.GetRequiredService<LocalTokenIssuer>();
        var forgedKey = Path.Combine(Path.GetTempPath(), "grocery-tests", $"forged-{Guid.NewGuid():N}.pem");
        string forged;
        using (var other = LocalTokenIssuer.LoadOrCreate(forgedKey))
        {
            forged = other.Create(new TokenRequest(GroceryRoles.All, Subject: "fuzz:forged"), DateTimeOffset.UtcNow);
        }

        File.Delete(forgedKey);
        var expired = issuer.Create(new TokenRequest(GroceryRoles.All, Subject: "fuzz:expired", Lifetime: TimeSpan.FromMinutes(5)), DateTimeOffset.UtcNow.AddHours(-1));

        await DatabaseSnapshot.Quiet(host.Factory, TimeSpan.FromSeconds(30));
        foreach (var operation in host.Operations.Where(o => o.Roles is not null))
        {
            // A caller without a token sends every case; the others the valid request and one bad value of each kind of
            // input (a parameter, a body field, the body), text/plain always among them: routing looks at the type first.
            // Requests over the URL and header caps are left out: those caps are the server's, answered before anything.
            var random = host.RandomFor(operation);
            var cases = Cases(operation, random).Where(c => !c.OverServerCaps).ToList();
            var valid = Valid(operation, random);
            var sample = cases.GroupBy(c => c.Input is { } input && input.StartsWith("body ", StringComparison.Ordinal) ? "body field" : c.Input)
                .Select(g => (g.Key, Case: g.FirstOrDefault(c => c.ContentType == "text/plain") ?? g.ElementAt(random.Next(g.Count())), Order: random.Next()))
                .OrderBy(g => g.Key == "content type" ? 0 : 1).ThenBy(g => g.Order).Take(RefusedInputsPerOperation).Select(g => g.Case).ToList();
            var callers = new List<(string Who, string? Bearer, int Status, List<FuzzRequest> Inputs)>
            {
                ("no token", null, 401, [valid, .. cases]), ("a forged token", forged, 401, [valid, .. sample]),
                ("an expired token", expired, 401, [valid, .. sample]),
                ("a token without roles", issuer.Create(new TokenRequest([], Subject: $"fuzz:none:{operation.Name}"), DateTimeOffset.UtcNow), 403, [valid, .. sample]),
            };
            callers.AddRange(GroceryRoles.All.Except(operation.Roles!).Select(role =>
                ($"a {role} token", (string?)issuer.Create(new TokenRequest([role], Subject: $"fuzz:{role}:{operation.Name}"), DateTimeOffset.UtcNow), 403,
                    new List<FuzzRequest> { valid }.Concat(sample).ToList())));

            var before = await DatabaseSnapshot.Take(host.Factory);
            foreach (var (who, bearer, expected, inputs) in callers)
            {
                using var client = await host.Factory.ClientWith(bearer);
                Answer? validAnswer = null;
                foreach (var input in inputs)
                {
                    var answer = await Send(client, Fresh(input, random));
                    sent++;
                    validAnswer ??= answer;
                    if (answer.Status == 429)
                    {
                        // Rate limited: allowed, but it proves nothing about the order of the checks.
                        continue;
                    }

                    var problem = RefusalProblem(input, answer, expected, validAnswer);
                    if (problem is not null)
                    {
                        failures.Add($"{operation.Name} by {who}: {problem}\n  {input.Describe()}\n  answer: {answer}");
                    }
                }
            }

            var after = await DatabaseSnapshot.Take(host.Factory);
            if (!after.Equals(before))
            {
                failures.Add($"{operation.Name}: refused callers changed the database: {before.Difference(after)}");
            }
        }

        output.WriteLine($"seed {host.Seed}: {sent} refused requests over {host.Operations.Count(o => o.Roles is not null)} operations in {clock.Elapsed.TotalSeconds:F1} s");
        failures.ShouldBeEmpty(Report(failures));
    }

    [Fact]
    public async Task Bad_input_to_every_operation_is_a_4xx_problem_that_changes_nothing_and_never_a_5xx()
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var total = 0;
        var baseline = await DatabaseSnapshot.Quiet(host.Factory, TimeSpan.FromSeconds(30));
        foreach (var operation in host.Operations)
        {
            var random = host.RandomFor(operation);
            var cases = Cases(operation, random);
            var statuses = new SortedDictionary<int, int>();
            var taken = new List<string>();
            var started = clock.Elapsed;
            // The route's own roles, and a subject of its own: no rate limit counts these requests with another operation's.
            using var withToken = await host.Factory.Client(new TokenRequest(operation.Roles ?? GroceryRoles.All, Name: "Fuzzer", Subject: $"fuzz:{operation.Name}"));
            using var anonymous = await host.Factory.ClientWith(null);
            var start = baseline;
            for (var i = 0; i < cases.Count; i++)
            {
                // Open routes (webhooks) are tried with and without credentials, alternately.
                var request = Fresh(cases[i], random);
                var answer = await Send(operation.Roles is null && i % 2 == 0 ? anonymous : withToken, request);
                statuses[answer.Status] = statuses.GetValueOrDefault(answer.Status) + 1;
                if (BadAnswer(answer) is { } problem)
                {
                    failures.Add($"{operation.Name}: {problem}\n  {request.Describe()}\n  answer: {answer}");
                }

                // The caller has every role the route admits and no store or customer limit: a refusal would be a check of
                // the input dressed up as one of the caller. (A path that reaches no route is answered by the fallback policy.)
                if (answer.Status is 401 or 403 && request.Routable)
                {
                    failures.Add($"{operation.Name}: a caller the route admits was refused with {answer.Status}\n  {request.Describe()}\n  answer: {answer}");
                }

                if (operation.IsRead)
                {
                    continue;
                }

                var after = await DatabaseSnapshot.Take(host.Factory);
                if (answer.Status is >= 400 and < 500 && await Changed(baseline, after, answer.Status) is { } changed)
                {
                    failures.Add($"{operation.Name}: {answer.Status} but {changed}\n  {request.Describe()}\n  answer: {answer}");
                }

                // A request that was taken may set work going (an order, a job run): wait for it before the next one.
                baseline = answer.Status < 400 ? await DatabaseSnapshot.Settled(host.Factory, TimeSpan.FromSeconds(30)) : after;
                if (answer.Status < 400)
                {
                    taken.Add(request.What);
                }
            }

            if (operation.IsRead)
            {
                var after = await DatabaseSnapshot.Take(host.Factory);
                if (!after.Equals(start))
                {
                    failures.Add($"{operation.Name}: reading changed the database: {start.Difference(after)}");
                }

                baseline = after;
            }

            total += cases.Count;
            var more = taken.Count > 6 ? " | ..." : "";
            var takenNote = taken.Count > 0 ? $"; taken: {string.Join(" | ", taken.Take(6))}{more}" : "";
            output.WriteLine($"{operation.Name}: {cases.Count} cases in {(clock.Elapsed - started).TotalSeconds:F1} s, answers "
                + $"{string.Join(", ", statuses.Select(s => $"{s.Key}x{s.Value}"))}{takenNote}");
        }

        output.WriteLine($"seed {host.Seed}: {total} cases over {host.Operations.Count} operations in {clock.Elapsed.TotalSeconds:F1} s");
        failures.ShouldBeEmpty(Report(failures));
    }

    /// <summary>
    /// What a refused request changed, or null. Nothing may change, but for the audit trail's record of a refusal
    /// (docs/audit.md): one row, <c>refused: &lt;status&gt; ...</c>, for the 403, 404, 409 and 422 an operator's or a
    /// scheduler's action is refused with, in plain text whatever the request carried; none for a malformed request
    /// (400, 413, 415), a role check (401, 403) or a rate limit (429). The trail itself is append-only (its triggers).
    /// </summary>
    private async Task<string?> Changed(DatabaseSnapshot before, DatabaseSnapshot after, int status)
    {
        if (before.Difference(after, after.AuditTable) is { Length: > 0 } difference)
        {
            return $"the database changed: {difference}";
        }

        var rows = await before.AuditSince(host.Factory);
        var recorded = status is 403 or 404 or 409 or 422 ? 1 : 0;
        if (rows.Count > recorded || rows.Exists(r => !r.Outcome.StartsWith($"refused: {status} ", StringComparison.Ordinal)))
        {
            return $"it wrote {rows.Count} audit rows ({string.Join("; ", rows.Select(r => FuzzRequest.Excerpt(r.Outcome, 120)))}), at most {recorded} 'refused: {status} ...' expected";
        }

        return rows.Find(r => Problems.IsNotPlainText(r.Target) || Problems.IsNotPlainText(r.Outcome) || (r.StoreId is { } store && Problems.IsNotPlainText(store)))
            is { } unclean ? $"its audit row is not plain text: target '{FuzzRequest.Excerpt(unclean.Target, 120)}', outcome '{FuzzRequest.Excerpt(unclean.Outcome, 120)}'" : null;
    }

    /// <summary>What is wrong with an answer to any request: a 5xx, or a 4xx that is not a problem document of that status.</summary>
    private static string? BadAnswer(Answer answer)
    {
        if (answer.Status >= 500)
        {
            return $"answered {answer.Status}";
        }

        if (answer.Status is < 400 or >= 500)
        {
            return null;
        }

        if (answer.MediaType != "application/problem+json")
        {
            return $"{answer.Status} is {answer.MediaType ?? "no content type"}, not application/problem+json";
        }

        return answer.Json is JsonObject problem && problem["status"]?.GetValueKind() == JsonValueKind.Number && problem["status"]!.GetValue<int>() == answer.Status
            ? null
            : $"{answer.Status} is not a problem document with that status";
    }

    /// <summary>
    /// What is wrong with the answer to a caller the route does not admit. The same refusal, word for word, for the valid
    /// request and every bad one: nothing in it depends on the input. A path value that cannot match the route's
    /// constraints (a non-GUID id) reaches no route at all; routing's answer is guarded by the fallback policy, which
    /// admits any caller with one of the engine's roles to that route-less 404 (and nobody else: a caller without a
    /// token still gets 401).
    /// </summary>
    private static string? RefusalProblem(FuzzRequest input, Answer answer, int expected, Answer? valid)
    {
        var allowed = input.Routable || expected == 401 ? [expected] : new[] { expected, 404 };
        if (!allowed.Contains(answer.Status))
        {
            return $"expected {expected}, got {answer.Status}";
        }

        if (BadAnswer(answer) is { } bad)
        {
            return bad;
        }

        if (answer.Status == 401 && !answer.Challenged)
        {
            return "a 401 without a WWW-Authenticate challenge";
        }

        var problem = (JsonObject)answer.Json!;
        if (problem.Select(p => p.Key).FirstOrDefault(k => !ProblemFields.Contains(k)) is { } extra)
        {
            return $"the refusal has a field '{extra}': it must say nothing about the input";
        }

        if (input.Routable && valid is not null && (Text(problem, "title") != Text(valid.Json, "title") || Text(problem, "detail") != Text(valid.Json, "detail")))
        {
            return $"the refusal differs from the valid request's ('{Text(valid.Json, "detail")}'): it depends on the input";
        }

        var value = input.PathValues.Values.Concat(input.Query.Select(q => q.Value ?? "")).Select(v => Uri.UnescapeDataString(v)).Where(v => v.Length >= 4);
        return value.FirstOrDefault(v => answer.Body.Contains(v, StringComparison.Ordinal)) is { } echoed ? $"the refusal repeats the input '{echoed}'" : null;
    }

    private static string? Text(JsonNode? json, string field) => json?[field]?.GetValueKind() == JsonValueKind.String ? json[field]!.GetValue<string>() : null;

    private string Report(List<string> failures) =>
        $"seed {host.Seed} (set GROCERY_FUZZ_SEED={host.Seed} to send the same requests again): {failures.Count} failures\n"
        + string.Join("\n", failures.Take(25)) + (failures.Count > 25 ? $"\n... and {failures.Count - 25} more" : "");

    /// <summary>The operation's cases: every parameter's, every body field's and the whole body's, at most <see cref="MaxCasesPerOperation"/> of them.</summary>
    private List<FuzzRequest> Cases(FuzzOperation operation, Random random)
    {
        var valid = Valid(operation, random);
        var shape = Shapes.GetValueOrDefault(operation.Name);
        var cases = new List<FuzzRequest>(FuzzInputs.Parameters(valid, random));
        cases.AddRange(FuzzInputs.UndeclaredQuery(valid));
        if (valid.Body is not null && valid.ContentType == "application/json")
        {
            cases.AddRange(FuzzInputs.JsonFields(valid));
        }

        if (valid.Body is not null || shape == Body.None)
        {
            cases.AddRange(FuzzInputs.WholeBodies(valid));
        }

        cases.AddRange(shape?.Extra?.Invoke(valid, this) ?? []);
        if (shape?.Sign is { } sign)
        {
            cases = [.. cases.Select(c => sign(c, this))];
        }

        cases = [.. cases.DistinctBy(c => c.Describe())];
        return cases.Count <= MaxCasesPerOperation
            ? cases
            : [.. cases.Select((c, i) => (c, i, r: random.Next())).OrderBy(x => x.r).Take(MaxCasesPerOperation).OrderBy(x => x.i).Select(x => x.c)];
    }

    /// <summary>The valid request: real ids (the fixture's order, the test store, a job), valid query values, and the body's valid shape.</summary>
    private FuzzRequest Valid(FuzzOperation operation, Random random)
    {
        var path = ImmutableDictionary<string, string>.Empty;
        var query = ImmutableList<QueryEntry>.Empty;
        var headers = ImmutableDictionary<string, string>.Empty;
        foreach (var parameter in operation.Parameters)
        {
            if (ValidValue(operation, parameter, random) is not { } value)
            {
                continue;
            }

            var encoded = Uri.EscapeDataString(value);
            (path, query, headers) = parameter.In switch
            {
                "path" => (path.SetItem(parameter.Name, encoded), query, headers),
                "query" => (path, query.Add(new(parameter.Name, encoded)), headers),
                "header" => (path, query, headers.SetItem(parameter.Name, value)),
                _ => (path, query, headers),
            };
        }

        var request = new FuzzRequest { Operation = operation, What = "valid", PathValues = path, Query = query, Headers = headers };
        var shape = Shapes.GetValueOrDefault(operation.Name);
        if (shape is { Json: { } json })
        {
            request = request with { Body = Encoding.UTF8.GetBytes(json(this).ToJsonString()), ContentType = "application/json" };
        }
        else if (shape != Body.None && operation.Bodies.FirstOrDefault(b => b.ContentType == "application/json") is { } documented)
        {
            request = request with { Body = Encoding.UTF8.GetBytes(Sample(documented.Schema, null).ToJsonString()), ContentType = "application/json" };
        }

        return shape?.Sign is { } sign ? sign(request, this) : request;
    }

    private string? ValidValue(FuzzOperation operation, FuzzParameter parameter, Random random) => parameter.Name switch
    {
        "storeId" => GroceryApiFactory.Store,
        "date" => Day(2),
        "orderId" => host.OrderId.ToString(),
        "id" when parameter.Format == "uuid" => host.OrderId.ToString(),
        "type" => "Order",
        "name" => "slot-generation",
        "runId" => FuzzInputs.RandomGuid(random).ToString(),
        "limit" => "10",
        "search" => "milk",
        "state" => "Completed",
        "cursor" => null,
        "action" => "store.close",
        "subject" => "fuzz:setup",
        "target" => $"{GroceryApiFactory.Store}/{Day(2)}",
        "from" => DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        "to" => DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        "Idempotency-Key" => FuzzInputs.RandomGuid(random).ToString(),
        _ => parameter.Type switch
        {
            "integer" or "number" => "1",
            "boolean" => operation.IsRead ? "true" : "false",
            _ => parameter.Format == "uuid" ? FuzzInputs.RandomGuid(random).ToString() : "x",
        },
    };

    /// <summary>A valid instance of a documented schema, with real values for the fields the engine checks against its data.</summary>
    private static JsonNode Sample(JsonNode schema, string? name) => FuzzOperation.TypeOf(schema) switch
    {
        "object" => new JsonObject((schema["properties"]?.AsObject() ?? []).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Sample(p.Value!, p.Key)))),
        "array" => new JsonArray(Sample(schema["items"]!, null)),
        "integer" or "number" => name == "quantity" ? 5 : 1,
        "boolean" => true,
        _ => name switch
        {
            "storeId" => GroceryApiFactory.Store,
            "sku" => "DAI-00001",
            "reason" => "Closed for the fuzzer",
            "countedAt" => DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            _ => "x",
        },
    };

    /// <summary>A case as it is sent: a key of its own for every order, so that no case is answered as an earlier one was.</summary>
    private static FuzzRequest Fresh(FuzzRequest request, Random random) =>
        request.Headers.ContainsKey("Idempotency-Key") && request.Input != "header Idempotency-Key"
            ? request with { Headers = request.Headers.SetItem("Idempotency-Key", FuzzInputs.RandomGuid(random).ToString()) }
            : request;

    private static async Task<Answer> Send(HttpClient client, FuzzRequest request)
    {
        using var message = request.ToMessage();
        try
        {
            using var response = await client.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            JsonNode? json = null;
            try
            {
                json = body.Length > 0 ? JsonNode.Parse(body) : null;
            }
            catch (JsonException)
            {
                // Not JSON: the answer is judged on its text, with no document.
            }

            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, json, response.Headers.WwwAuthenticate.Count > 0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The test server rethrows what the engine did not handle.
            return new Answer(599, null, $"the request threw {e.GetType().Name}: {e.Message}", null, false);
        }
    }

    private sealed record Answer(int Status, string? MediaType, string Body, JsonNode? Json, bool Challenged)
    {
        public override string ToString() => $"{Status} {MediaType} {FuzzRequest.Excerpt(Body, 400)}";
    }

    /// <summary>
    /// The bodies the document does not describe, as the handlers read them (JsonBody and their own checks), and the
    /// webhooks' signatures. Body.None marks a route that reads no body; it still gets bodies it does not expect.
    /// </summary>
    private static readonly Dictionary<string, Body> Shapes = new(StringComparer.Ordinal)
    {
        ["POST /api/orders"] = new(t => new JsonObject
        {
            ["customerId"] = "cust-fuzz", ["storeId"] = GroceryApiFactory.Store, ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }, new JsonObject { ["sku"] = "PRO-00001", ["quantity"] = 0.75 }),
            ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success" },
            ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" }, ["substitutionPreference"] = "ask",
        }),
        ["POST /api/orders/{orderId}/substitutions/decisions"] = new(_ => new JsonObject
        {
            ["decisions"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["approve"] = true }),
        }),
        ["POST /api/webhooks/stripe"] = new(_ => StripeEvent(), SignStripe, StripeSignatures),
        ["POST /api/webhooks/momo"] = new(_ => MoMoIpn(), SignMoMo),
        ["POST /api/webhooks/couriers/grab"] = new(_ => new JsonObject
        {
            ["deliveryID"] = "IN-2-FUZZ", ["merchantOrderID"] = $"{Guid.Empty:N}-1", ["status"] = "PICKING_UP", ["timestamp"] = 2_000_000_000,
            ["driver"] = new JsonObject { ["name"] = "Fuzz", ["licensePlate"] = "00X0-000.00" },
        }, SignGrab),
        ["POST /api/deliveries/{orderId}/fleet-updates"] = new(_ => new JsonObject { ["attempt"] = 1, ["status"] = "picked-up", ["courier"] = "Fuzz Driver" }),
        ["POST /api/stock/counts"] = new(null, Extra: (valid, _) => CountFiles(valid)),
        ["POST /api/failures/{id}/replay"] = Body.None,
        ["POST /api/jobs/{name}/pause"] = Body.None,
        ["POST /api/jobs/{name}/resume"] = Body.None,
    };

    /// <summary>A body's valid shape (null: the document's), a signer applied to every case, and cases of its own.</summary>
    private sealed record Body(
        Func<OpenApiFuzzTests, JsonNode>? Json, Func<FuzzRequest, OpenApiFuzzTests, FuzzRequest>? Sign = null,
        Func<FuzzRequest, OpenApiFuzzTests, IEnumerable<FuzzRequest>>? Extra = null)
    {
        public static readonly Body None = new(Json: null);
    }

    /// <summary>A refund of a charge no order of the engine knows (no messages to any saga), read deep by Stripe.net.</summary>
    private static JsonObject StripeEvent() => new()
    {
        ["id"] = "evt_fuzz", ["object"] = "event", ["api_version"] = "2026-10-28.endive", ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["type"] = "charge.refunded", ["livemode"] = false, ["pending_webhooks"] = 1,
        ["data"] = new JsonObject
        {
            ["object"] = new JsonObject
            {
                ["id"] = "ch_fuzz", ["object"] = "charge", ["amount"] = 80_000, ["amount_refunded"] = 30_000, ["currency"] = "vnd",
                ["payment_intent"] = "pi_fuzz_unknown", ["refunded"] = false, ["metadata"] = new JsonObject { ["note"] = "fuzz" },
            },
        },
    };

    private static string StripeSignature(byte[] body, DateTimeOffset at, string secret = StripeServer.WebhookSecret)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{Encoding.UTF8.GetString(body)}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Every Stripe case is signed for its own bytes, except those about the signature.</summary>
    private static FuzzRequest SignStripe(FuzzRequest request, OpenApiFuzzTests tests) =>
        request.Input == "header Stripe-Signature" ? request
            : request with { Headers = request.Headers.SetItem("Stripe-Signature", StripeSignature(request.Body ?? [], DateTimeOffset.UtcNow)) };

    private static IEnumerable<FuzzRequest> StripeSignatures(FuzzRequest valid, OpenApiFuzzTests tests)
    {
        var body = valid.Body!;
        var now = DateTimeOffset.UtcNow;
        var good = StripeSignature(body, now);
        foreach (var (value, why) in new (string?, string)[]
        {
            (null, "left out"), ("garbage", "garbage"), ("t=0,v1=00", "epoch and a short MAC"), (StripeSignature(body, now.AddHours(-1)), "an hour old"),
            (StripeSignature(body, now, "whsec_someone_else"), "another secret"), ("t=99999999999999999999," + good.Split(',')[1], "a timestamp past long"),
            ("t=-1," + good.Split(',')[1], "a negative timestamp"), (good.Split(',')[1], "no timestamp"), (good.Split(',')[0], "no MAC"),
            (good + ",v1=" + new string('0', 64), "two MACs"), (good + "," + new string('v', 10 * 1024), "10 KB"), ("t=1,v1=\u00e9", "a Latin-1 letter"),
        })
        {
            var headers = valid.Headers.Remove("Stripe-Signature");
            yield return valid with
            {
                What = $"header Stripe-Signature: {why}", Input = "header Stripe-Signature", Headers = value is null ? headers : headers.Add("Stripe-Signature", value),
            };
        }
    }

    private static readonly string[] MoMoSigned =
        ["amount", "extraData", "message", "orderId", "orderInfo", "orderType", "partnerCode", "payType", "requestId", "responseTime", "resultCode", "transId"];

    /// <summary>An IPN about a payment the engine never asked for (no order behind it), signed as MoMo signs.</summary>
    private static JsonObject MoMoIpn() => new()
    {
        ["partnerCode"] = MoMoServer.PartnerCode, ["orderId"] = "fuzz-momo-payment", ["requestId"] = "fuzz-request", ["amount"] = 50_000,
        ["orderInfo"] = "Fuzz", ["orderType"] = "momo_wallet", ["transId"] = 1, ["resultCode"] = 0, ["message"] = "Successful.", ["payType"] = "qr",
        ["responseTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ["extraData"] = "", ["signature"] = "unsigned",
    };

    /// <summary>Signs an IPN for the fields it carries, as MoMo would (string values as text, others as their raw JSON); what cannot be read stays as it is.</summary>
    /// <summary>Grab sends the agreed credential in Authorization; a case that fuzzes that header keeps its own.</summary>
    private static FuzzRequest SignGrab(FuzzRequest request, OpenApiFuzzTests tests) =>
        request.Input == "header Authorization" ? request : request with { Headers = request.Headers.SetItem("Authorization", GrabWebhookSecret) };

    private const string GrabWebhookSecret = "grab-webhook-fuzz-credential";

    private static FuzzRequest SignMoMo(FuzzRequest request, OpenApiFuzzTests tests)
    {
        if (request.Input == "body signature" || request.Body is null)
        {
            return request;
        }

        try
        {
            using var document = JsonDocument.Parse(request.Body);
            var ipn = document.RootElement;
            if (ipn.ValueKind != JsonValueKind.Object || !ipn.TryGetProperty("signature", out var old) || old.ValueKind != JsonValueKind.String
                || Array.Exists(MoMoSigned, f => !ipn.TryGetProperty(f, out _)))
            {
                return request;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["accessKey"] = MoMoServer.AccessKey };
            foreach (var name in MoMoSigned)
            {
                var value = ipn.GetProperty(name);
                fields[name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }

            var text = request.BodyText.Replace($"\"signature\":\"{old.GetString()}\"",
                $"\"signature\":\"{MoMoSignature.Sign(MoMoServer.SecretKey, fields)}\"", StringComparison.Ordinal);
            return request with { Body = Encoding.UTF8.GetBytes(text) };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return request;
        }
    }

    /// <summary>Count files as CSV: the header, the columns, quantities and times of every wrong kind, a line over its cap.</summary>
    private static IEnumerable<FuzzRequest> CountFiles(FuzzRequest valid)
    {
        var at = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        const string header = "store_id,sku,quantity,counted_at\n";
        foreach (var (csv, why) in new[]
        {
            ("", "empty"), ("store_id,sku\n", "two columns"), (header, "a header only"), ("tst-01,DAI-00001,5," + at + "\n", "no header"),
            (header + $"tst-01,DAI-00001,-1,{at}\n", "a negative quantity"), (header + $"tst-01,DAI-00001,1e308,{at}\n", "1e308"),
            (header + $"tst-01,DAI-00001,NaN,{at}\n", "NaN"), (header + $"tst-01,DAI-00001,99999999999999999999999999999999,{at}\n", "past decimal"),
            (header + "tst-01,DAI-00001,5,2026-01-01\n", "a date without a time"), (header + "tst-01,DAI-00001,5,9999-12-31T23:59:59-14:00\n", "past the last time"),
            (header + "tst-01,DAI-00001,5,0001-01-01T00:00:00+14:00\n", "before the first time"), (header + $"tst-01,DAI-00001,5,{at},extra\n", "an extra field"),
            (header + $"\"tst-01\",\"DAI-00001\",\"5\",\"{at}\"\n", "quoted fields"), (header + $"tst-01\u0000,DAI-00001,5,{at}\n", "NUL"),
            (header + $"tst-01\u202e,DAI-00001,5,{at}\n", "a bidi override"), (header + new string('x', 2000) + "\n", "a 2,000-character line"),
            (header + $"tst-99,DAI-00001,5,{at}\n", "an unknown store"), (header + $"tst-01,NOPE-1,5,{at}\n", "an unknown SKU"),
            (header.Replace("\n", "\r\n", StringComparison.Ordinal) + $"tst-01,DAI-00001,5,{at}\r\n", "CRLF, valid"),
        })
        {
            yield return valid with { What = $"CSV: {why}", Input = "body (CSV)", Body = Encoding.UTF8.GetBytes(csv), ContentType = "text/csv" };
        }

        yield return valid with { What = "CSV: invalid UTF-8", Input = "body (CSV)", Body = [.. Encoding.UTF8.GetBytes(header), 0xFF, 0xFE, (byte)'\n'], ContentType = "text/csv" };
    }

    /// <summary>
    /// The host the fuzzer runs against: the factory's small catalogue, Stripe and MoMo configured (so that their webhooks
    /// read what they are sent), no scheduled job firing during the run, and one order placed and run to its end (the
    /// id the order routes need); then nothing moves until the fuzzer asks.
    /// </summary>
    public sealed class Host : IAsyncLifetime
    {
        public GroceryApiFactory Factory { get; } = new();

        public JsonNode Document { get; private set; } = null!;

        public IReadOnlyList<FuzzOperation> Operations { get; private set; } = [];

        public Guid OrderId { get; private set; }

        public int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("GROCERY_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20261218;

        /// <summary>A generator per operation, so that one operation's requests do not depend on which others ran before it.</summary>
        public Random RandomFor(FuzzOperation operation)
        {
            ArgumentNullException.ThrowIfNull(operation);
            var hash = operation.Name.Aggregate(17, (h, c) => unchecked((h * 31) + c));
#pragma warning disable CA5394 // Reproducible test input, not security.
            return new Random(Seed ^ hash);
#pragma warning restore CA5394
        }

        public async Task InitializeAsync()
        {
            Factory.Settings["Stripe:WebhookSecret"] = StripeServer.WebhookSecret;
            Factory.Settings["Grab:WebhookSecret"] = GrabWebhookSecret;
            Factory.Settings["MoMo:PartnerCode"] = MoMoServer.PartnerCode;
            Factory.Settings["MoMo:AccessKey"] = MoMoServer.AccessKey;
            Factory.Settings["MoMo:SecretKey"] = MoMoServer.SecretKey;
            Factory.Settings["MoMo:Endpoint"] = "http://127.0.0.1:9/";
            Factory.Settings["MoMo:IpnUrl"] = "https://shop.example/ipn";
            Factory.Settings["MoMo:RedirectUrl"] = "https://shop.example/";
            // An order a case gets accepted runs to its end before the next case: without pauses between its steps.
            Factory.Settings["Simulation:StepDelay"] = "00:00:00";
            Factory.Settings["Jobs:GenerateSlotsOnStart"] = "false";
            Factory.Settings["Jobs:SlotGenerationCron"] = "0 0 0 1 1 ? 2099";
            Factory.Settings["Jobs:StockReconciliationCron"] = "0 0 0 1 1 ? 2099";

            using var client = await Factory.Client(new TokenRequest(GroceryRoles.All, Subject: "fuzz:setup"));
            Document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
            // One route takes every provider's notifications, each signed its own way: each provider is fuzzed as an
            // operation of its own, with its own body and signature (Shapes).
            Operations = [.. (await FuzzOperation.Read(Document, Factory.Services)).SelectMany(o => o.Path == "/api/webhooks/{provider}"
                ? WebhookProviders.Select(p => o with { Path = $"/api/webhooks/{p}", Parameters = [.. o.Parameters.Where(x => x.Name != "provider")] })
                : [o])];

            using var order = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/orders", UriKind.Relative))
            {
                Content = JsonContent.Create(new
                {
                    customerId = "cust-fuzz", storeId = GroceryApiFactory.Store, slotId = GroceryApiFactory.OpenSlot,
                    lines = new[] { new { sku = "DAI-00001", quantity = 1m } }, payment = new { provider = "sandbox", token = "tok_success" },
                    delivery = new { address = "15 Nguyen Hue, District 1", latitude = 10.7743, longitude = 106.7038, phone = "+84901234567" },
                }),
            };
            order.Headers.Add("Idempotency-Key", "fuzz-setup");
            var placed = await client.SendAsync(order);
            placed.IsSuccessStatusCode.ShouldBeTrue(await placed.Content.ReadAsStringAsync());
            OrderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
            await DatabaseSnapshot.Quiet(Factory, TimeSpan.FromSeconds(60));
        }

        public async Task DisposeAsync() => await Factory.DisposeAsync();

        private static readonly string[] WebhookProviders = ["stripe", "momo"];
    }
}
