using System.Text;
using Grocery.Workflows.Api.Orders;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Persistence.Orders;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// The request records bind every body, however wrong, and their one validation step names every wrong field at
/// once, in the document's order; the order they produce hashes as stored order requests were hashed.
/// </summary>
public sealed class TypedRequestTests
{
    private static JsonBody Body(string json)
    {
        var body = JsonBody.Parse(Encoding.UTF8.GetBytes(json));
        body.Problem.ShouldBeNull();
        return body;
    }

    private static Dictionary<string, string[]> Errors(string json)
    {
        var errors = new Dictionary<string, string[]>();
        PlaceOrderRequest.Validate(Body(json).Bind<PlaceOrderRequest>(), errors).ShouldBeNull();
        return errors;
    }

    [Fact]
    public void Every_wrong_field_of_an_order_is_named_at_once_in_the_order_of_the_checks()
    {
        var errors = Errors("""
            {"zz": 1, "customerId": 5, "storeId": "", "slotId": "x", "payment": {"a": 1, "provider": null},
             "substitutionPreference": null, "lines": [{"sku": 5, "quantity": "x"}, null, {"sku": "ok", "quantity": -1}], "aa": 2}
            """);

        errors.Keys.ShouldBe([
            "zz", "aa", "customerId", "storeId", "slotId", "payment.a", "payment.provider", "payment.token", "substitutionPreference",
            "lines[0].sku", "lines[0].quantity", "lines[1]", "lines[2].quantity", "delivery",
        ]);
        errors["zz"].ShouldBe(["Unknown field 'zz'. Known fields: customerId, storeId, slotId, lines, payment, substitutionPreference, delivery, language."]);
        errors["payment.a"].ShouldBe(["Unknown field 'payment.a'. Known fields: payment.provider, payment.token."]);
        errors["customerId"].ShouldBe(["customerId is required and must be a string."]);
        errors["lines[1]"].ShouldBe(["lines[1] must be an object {\"sku\", \"quantity\"}."]);
    }

    [Theory]
    [InlineData("\"CustomerId\": \"cust-42\"", "CustomerId")]
    [InlineData("\"lines\": [{\"sku\": \"DAI-00001\", \"quantity\": \"2\"}]", "lines[0].quantity")]
    [InlineData("\"lines\": [{\"sku\": \"DAI-00001\", \"quantity\": 1e30}]", "lines[0].quantity")]
    [InlineData("\"substitutionPreference\": null", "substitutionPreference")]
    [InlineData("\"substitutionPreference\": 1", "substitutionPreference")]
    public void A_member_of_another_name_or_type_is_refused_not_converted(string member, string field)
    {
        Errors("{" + member + "}").ShouldContainKey(field);
    }

    [Fact]
    public void A_valid_order_is_trimmed_and_hashes_as_stored_order_requests_were_hashed()
    {
        var errors = new Dictionary<string, string[]>();
        var order = PlaceOrderRequest.Validate(Body("""
            {"customerId": " cust-42 ", "storeId": "tst-01", "slotId": "00000000-0000-0000-0000-0000000000a1",
             "lines": [{"sku": "DAI-00001", "quantity": 2}, {"sku": "PRO-00001", "quantity": 1.25}],
             "payment": {"provider": "SandBox", "token": "tok_success"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}, "substitutionPreference": "ASK"}
            """).Bind<PlaceOrderRequest>(), errors);

        errors.ShouldBeEmpty();
        order.ShouldBe(order! with { CustomerId = "cust-42", PaymentProvider = "sandbox", SubstitutionPreference = SubstitutionPreference.Ask });
        // The hash stored with the request: a change here makes every stored Idempotency-Key answer "used with a different
        // body". It changed once, when orders gained their delivery address (required from then on, so an earlier body
        // is refused before its hash is compared).
        order.Hash().ShouldBe("57BDA020C913F7E3B35FEA9BA774C509CAF4361C7FB5FA4092E146083FC22495");
    }

    [Theory]
    [InlineData("{}", null, null)]
    [InlineData("{\"reason\": \" Moved away \"}", "Moved away", null)]
    [InlineData("{\"reason\": null}", null, "reason")]
    [InlineData("{\"reason\": 5, \"why\": 1}", null, "body")]
    [InlineData("[]", null, "body")]
    public void A_cancel_tells_a_reason_left_out_from_one_sent_as_null(string json, string? reason, string? field)
    {
        var (given, problem) = CancelOrderRequest.Validate(Body(json).Bind<CancelOrderRequest>());

        given.ShouldBe(reason);
        ((problem?.ProblemDetails.Extensions["errors"] as Dictionary<string, string[]>)?.Keys.Single()).ShouldBe(field);
    }

    [Theory]
    [InlineData("{\"decisions\": [{\"sku\": \"DAI-00001\", \"approve\": true}]}", null)]
    [InlineData("{\"decisions\": [{\"sku\": \"DAI-00001\", \"approve\": \"true\"}]}", "Each decision")]
    [InlineData("{\"decisions\": [{\"sku\": \"DAI-00001\", \"approve\": true}], \"more\": 1}", "decisions is required")]
    [InlineData("{\"decisions\": []}", "decisions is required")]
    public void Decisions_are_refused_whole_with_the_first_problem(string json, string? says)
    {
        var (answers, problem) = DecisionsRequest.Validate(Body(json).Bind<DecisionsRequest>());

        if (says is null)
        {
            answers.ShouldBe([new Contracts.Substitutions.CustomerAnswer("DAI-00001", true)]);
        }
        else
        {
            problem!.ProblemDetails.Detail.ShouldStartWith(says);
        }
    }
}
