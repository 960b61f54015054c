using System.Text.Json;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>Secrets reach the pods from Vault only: none in the repository, in the ConfigMap or inline in a Deployment.</summary>
public sealed partial class SecretTests
{
    private const string SecretsFile = "/vault/secrets/grocery.json";

    [GeneratedRegex("apikey|api_key|secret|accesskey|password|passwd|pwd|token|credential|privatekey", RegexOptions.IgnoreCase)]
    internal static partial Regex SecretLookingName();

    // Password=... in a connection string, or user:password@ in a URI.
    [GeneratedRegex(@"(password|pwd)\s*=|://[^/\s:@]+:[^/\s@]+@", RegexOptions.IgnoreCase)]
    internal static partial Regex CredentialInValue();

    [GeneratedRegex(@"\{\{[^}]*\|\s*toJSON\s*\}\}")]
    private static partial Regex TemplateValue();

    [GeneratedRegex(@"\{\{-?\s*(with|end)\b[^}]*\}\}")]
    private static partial Regex TemplateBlock();

    [GeneratedRegex(@"with\s+secret\s+""(?<path>[^""]+)""")]
    internal static partial Regex TemplateSecretPath();

    [Fact]
    public void No_kubernetes_secret_with_values_is_kept_in_the_repository()
    {
        var files = Repository.YamlFiles();
        files.ShouldContain(Manifests.Kustomization);
        foreach (var file in files)
        {
            foreach (var document in Yaml.Documents(Repository.Read(file)).Where(d => d.Text("kind") == "Secret"))
            {
                document.Keys("data").ShouldBeEmpty($"{file} holds a Secret with data");
                document.Keys("stringData").ShouldBeEmpty($"{file} holds a Secret with stringData");
            }
        }
    }

    [Fact]
    public void The_config_map_holds_no_secret_looking_setting()
    {
        var data = Manifests.Named("ConfigMap", "grocery-config").Root.Map("data");
        data.ShouldNotBeEmpty();
        foreach (var (key, value) in data)
        {
            SecretLookingName().IsMatch(key).ShouldBeFalse($"grocery-config has the secret-looking key {key}: put it in Vault");
            CredentialInValue().IsMatch(value).ShouldBeFalse($"grocery-config's {key} carries a credential: put it in Vault");
        }
    }

    [Fact]
    public void The_config_map_sets_up_production_not_the_simulation()
    {
        var data = Manifests.Named("ConfigMap", "grocery-config").Root.Map("data");
        data.ShouldContainKeyAndValue("Persistence__Provider", "PostgreSql");
        data.ShouldContainKeyAndValue("Transport__Kind", "RabbitMq");
        data.ShouldContainKeyAndValue("Slots__Store", "Redis");
        data.ShouldContainKeyAndValue("Simulation__Enabled", "false");
        data.ShouldContainKeyAndValue("Payments__Sandbox", "false");
        data.ShouldContainKeyAndValue("Seed__Enabled", "false");
        data.ShouldContainKey("Otlp__Endpoint");
        data.Keys.ShouldNotContain("Urls", "the image sets Urls; a ConfigMap copy would drift from EXPOSE and the probes");
    }

    [Fact]
    public void No_container_sets_a_secret_looking_variable_inline()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            foreach (var variable in deployment.Containers().SelectMany(c => c.Items("env")))
            {
                var name = variable.Text("name") ?? "";
                if (name == "GROCERY_SECRETS_FILE")
                {
                    continue;
                }

                SecretLookingName().IsMatch(name).ShouldBeFalse($"{deployment} sets {name} inline");
                name.ShouldNotStartWith("ConnectionStrings__", Case.Sensitive, $"{deployment} sets {name} inline");
                CredentialInValue().IsMatch(variable.Text("value") ?? "").ShouldBeFalse($"{deployment}'s {name} carries a credential");
            }
        }
    }

    [Fact]
    public void Every_pod_has_the_vault_agent_render_the_secrets_file_the_engine_reads()
    {
        var serviceAccounts = Manifests.OfKind("ServiceAccount").Select(s => s.Name).ToList();
        foreach (var deployment in Manifests.Deployments)
        {
            var annotations = deployment.PodAnnotations();
            annotations.ShouldContainKeyAndValue("vault.hashicorp.com/agent-inject", "true");
            annotations.ShouldContainKey("vault.hashicorp.com/role");
            annotations["vault.hashicorp.com/role"].ShouldNotBeNullOrWhiteSpace();
            annotations.ShouldContainKey("vault.hashicorp.com/agent-inject-secret-grocery.json");
            annotations.ShouldContainKey("vault.hashicorp.com/agent-inject-template-grocery.json");

            // The template reads the path the secret annotation names.
            var path = annotations["vault.hashicorp.com/agent-inject-secret-grocery.json"];
            var template = annotations["vault.hashicorp.com/agent-inject-template-grocery.json"];
            TemplateSecretPath().Match(template).Groups["path"].Value.ShouldBe(path, deployment.ToString());

            deployment.Containers().ShouldAllBe(c => c.Env("GROCERY_SECRETS_FILE") == SecretsFile);
            serviceAccounts.ShouldContain(deployment.PodSpec().Text("serviceAccountName"), deployment.ToString());
        }
    }

    [Fact]
    public void The_vault_template_renders_the_settings_the_engine_binds()
    {
        foreach (var deployment in Manifests.Deployments)
        {
            var template = deployment.PodAnnotations()["vault.hashicorp.com/agent-inject-template-grocery.json"];
            var json = TemplateBlock().Replace(TemplateValue().Replace(template, "\"value\""), "");

            using var rendered = JsonDocument.Parse(json);
            var root = rendered.RootElement;
            foreach (var name in new[] { "Workflows", "RabbitMq", "Redis" })
            {
                root.GetProperty("ConnectionStrings").TryGetProperty(name, out _).ShouldBeTrue($"{deployment}: ConnectionStrings:{name}");
            }

            root.GetProperty("Stripe").TryGetProperty("ApiKey", out _).ShouldBeTrue();
            root.GetProperty("Stripe").TryGetProperty("WebhookSecret", out _).ShouldBeTrue();
            root.GetProperty("MoMo").TryGetProperty("AccessKey", out _).ShouldBeTrue();
            root.GetProperty("MoMo").TryGetProperty("SecretKey", out _).ShouldBeTrue();
        }
    }
}
