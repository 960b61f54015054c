using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Operations;

public sealed class FeatureTests
{
    [Fact]
    public async Task The_features_and_their_defaults_are_listed()
    {
        await using var factory = new GroceryApiFactory();
        using var client = await factory.Client();

        var features = await client.GetFromJsonAsync<JsonElement>("/api/features");

        features.EnumerateArray().Select(f => (f.GetProperty("name").GetString(), f.GetProperty("enabled").GetBoolean())).ShouldBe(
        [
            ("MoMoPayments", true),
            ("AutomaticSubstitutionAcceptance", false),
            ("RedisSlotStore", true),
        ]);
        features.EnumerateArray().ShouldAllBe(f => f.GetProperty("description").GetString()!.Length > 20);
    }

    /// <summary>
    /// The flags come from configuration, here from a secrets file as the Vault agent renders it: the file named by
    /// GROCERY_SECRETS_FILE is read over the other settings.
    /// </summary>
    [Fact]
    public async Task With_MoMo_switched_off_in_the_secrets_file_a_MoMo_order_is_refused_and_nothing_is_created()
    {
        var secrets = Path.Combine(Path.GetTempPath(), "grocery-tests", $"secrets-{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(secrets)!);
        await File.WriteAllTextAsync(secrets, """{ "FeatureManagement": { "MoMoPayments": false }, "MoMo": { "SecretKey": "from-the-secrets-file" } }""");
        try
        {
            await using var factory = new GroceryApiFactory();
            factory.Settings["GROCERY_SECRETS_FILE"] = secrets;
            OfferMoMo(factory, secretKey: "overridden by the secrets file");
            using var client = await factory.Client();

            var features = await client.GetFromJsonAsync<JsonElement>("/api/features");
            features.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "MoMoPayments").GetProperty("enabled").GetBoolean().ShouldBeFalse();

            using var response = await StorefrontOrders.Post(client, "momo", "wallet");

            response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await response.Content.ReadAsStringAsync()).ShouldContain("MoMo payments are switched off");
            (await factory.Query(db => Task.FromResult(db.OrderRequests.Count()))).ShouldBe(0);
            factory.Services.GetRequiredService<IConfiguration>()["MoMo:SecretKey"].ShouldBe("from-the-secrets-file");
        }
        finally
        {
            File.Delete(secrets);
        }
    }

    /// <summary>
    /// MoMo opened by the targeting filter, as a canary of the integration would be: for the stores of its audience
    /// (group <c>store:{id}</c>) and for listed customers, refused to everyone else.
    /// </summary>
    [Theory]
    [InlineData("store:" + GroceryApiFactory.Store, null, true)]
    [InlineData("store:" + GroceryApiFactory.OtherStore, null, false)]
    [InlineData("store:" + GroceryApiFactory.OtherStore, "cust-operations", true)]
    public async Task MoMo_targeted_by_store_and_customer_reaches_its_audience_only(string group, string? user, bool offered)
    {
        await using var factory = new GroceryApiFactory();
        const string flag = "FeatureManagement:MoMoPayments";
        factory.Settings[flag] = null;
        factory.Settings[$"{flag}:EnabledFor:0:Name"] = "Microsoft.Targeting";
        factory.Settings[$"{flag}:EnabledFor:0:Parameters:Audience:Groups:0:Name"] = group;
        factory.Settings[$"{flag}:EnabledFor:0:Parameters:Audience:Groups:0:RolloutPercentage"] = "100";
        factory.Settings[$"{flag}:EnabledFor:0:Parameters:Audience:DefaultRolloutPercentage"] = "0";
        if (user is not null)
        {
            factory.Settings[$"{flag}:EnabledFor:0:Parameters:Audience:Users:0"] = user;
        }

        OfferMoMo(factory, secretKey: "secret");
        using var client = await factory.Client();

        var features = await client.GetFromJsonAsync<JsonElement>("/api/features");
        var momo = features.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "MoMoPayments");
        momo.GetProperty("enabled").GetBoolean().ShouldBeFalse("not on for everyone");
        momo.GetProperty("enabledFor").EnumerateArray().Select(f => f.GetString()).ShouldBe(["Microsoft.Targeting"]);

        using var response = await StorefrontOrders.Post(client, "momo", "wallet");

        if (offered)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        }
        else
        {
            response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
            (await response.Content.ReadAsStringAsync()).ShouldContain($"MoMo payments are switched off for now for this customer at store '{GroceryApiFactory.Store}'");
            (await factory.Query(db => Task.FromResult(db.OrderRequests.Count()))).ShouldBe(0);
        }
    }

    /// <summary>MoMo's merchant settings, so that MoMo is offered unless its flag says otherwise.</summary>
    private static void OfferMoMo(GroceryApiFactory factory, string secretKey)
    {
        factory.Settings["MoMo:PartnerCode"] = "MOMOTEST";
        factory.Settings["MoMo:AccessKey"] = "access";
        factory.Settings["MoMo:SecretKey"] = secretKey;
        factory.Settings["MoMo:IpnUrl"] = "https://shop.example/api/webhooks/momo";
        factory.Settings["MoMo:RedirectUrl"] = "https://shop.example/orders";
    }
}
