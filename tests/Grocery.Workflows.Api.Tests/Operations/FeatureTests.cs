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
            factory.Settings["MoMo:PartnerCode"] = "MOMOTEST";
            factory.Settings["MoMo:AccessKey"] = "access";
            factory.Settings["MoMo:SecretKey"] = "overridden by the secrets file";
            factory.Settings["MoMo:IpnUrl"] = "https://shop.example/api/webhooks/momo";
            factory.Settings["MoMo:RedirectUrl"] = "https://shop.example/orders";
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
}
