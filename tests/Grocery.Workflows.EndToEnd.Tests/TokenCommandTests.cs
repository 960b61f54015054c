using System.Net;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// The embedded default's tokens as the README has a newcomer get them: <c>token --role ...</c> run where the engine
/// runs prints one token signed with the key the engine created in its data folder, and the token opens what its
/// role may and nothing else.
/// </summary>
[Collection(nameof(SharedServers))]
public sealed class TokenCommandTests
{
    [Fact]
    public async Task A_printed_token_opens_what_its_role_may_and_nothing_else()
    {
        await using var host = await HostProcess.Start(new Dictionary<string, string>());
        await host.Ready(TimeSpan.FromSeconds(60));
        File.Exists(Path.Combine(host.WorkingDirectory, "data", "token-signing-key.pem")).ShouldBeTrue();

        using var storefront = new HttpClient { BaseAddress = host.BaseAddress };
        storefront.DefaultRequestHeaders.Authorization = new("Bearer", await host.Token("--role", "storefront", "--customer", "cust-42", "--lifetime", "00:10:00"));
        (await storefront.GetAsync(new Uri("/api/stores", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await storefront.GetAsync(new Uri("/api/sagas", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var nobody = new HttpClient { BaseAddress = host.BaseAddress };
        (await nobody.GetAsync(new Uri("/api/stores", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await nobody.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Should.ThrowAsync<InvalidOperationException>(() => host.Token("--role", "admin"))).Message.ShouldContain("unknown role 'admin'");
    }
}
