using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Infrastructure.Tests;

/// <summary>
/// The Bicep in infra/: every file builds and lints without a single warning (with infra/bicepconfig.json raising
/// the linter rules to errors), and the templates create what the code uses and set the settings the code reads.
/// </summary>
public sealed partial class InfrastructureTests
{
    private static string Infra => Path.Combine(RepositoryPaths.Root, "infra");

    /// <summary>The templates that deploy an app (each sets the app settings).</summary>
    public static TheoryData<string> AppTemplates => new() { "main.bicep", "premium.bicep" };

    /// <summary>Every .bicep file under infra/, modules included.</summary>
    public static TheoryData<string> BicepFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in Directory.EnumerateFiles(Infra, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(Infra, file).Replace('\\', '/'));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Bicep_file_builds_without_warnings(string file)
    {
        var outDir = Directory.CreateTempSubdirectory("recsys-bicep-");
        try
        {
            var result = await BicepCli.RunAsync("build", Path.Combine(Infra, file), "--outdir", outDir.FullName);
            Assert.True(result.IsClean, $"bicep build {file} (rc {result.ExitCode}):\n{result.Output}");
            Assert.Single(outDir.GetFiles("*.json"));
        }
        finally
        {
            outDir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Bicep_file_lints_without_warnings(string file)
    {
        var result = await BicepCli.RunAsync("lint", Path.Combine(Infra, file));
        Assert.True(result.IsClean, $"bicep lint {file} (rc {result.ExitCode}):\n{result.Output}");
    }

    [Fact]
    public async Task A_property_typo_is_caught_even_though_bicep_only_warns()
    {
        // Guards the check above: Bicep reports a misspelt property as a warning with exit code 0.
        var dir = Directory.CreateTempSubdirectory("recsys-bicep-typo-");
        try
        {
            var file = Path.Combine(dir.FullName, "typo.bicep");
            await File.WriteAllTextAsync(file, """
                param location string = resourceGroup().location
                resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
                  name: 'typo-plan'
                  location: location
                  sku: { name: 'FC1', tier: 'FlexConsumption' }
                  properties: { reserved: true, maximumElasticWorkerCont: 1 }
                }
                """);
            var result = await BicepCli.RunAsync("build", file, "--stdout");
            Assert.Equal(0, result.ExitCode);
            Assert.False(result.IsClean);
            Assert.Contains(result.Diagnostics, d => d.Contains("BCP089", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Bicepconfig_raises_linter_warnings_to_errors()
    {
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Infra, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();
        Assert.True((bool)config["analyzers"]!["core"]!["enabled"]!);
        foreach (var rule in new[] { "no-unused-params", "no-unused-vars", "no-unnecessary-dependson", "outputs-should-not-contain-secrets", "no-hardcoded-env-urls", "use-parent-property" })
        {
            Assert.Equal("error", (string?)rules[rule]?["level"]);
        }

        Assert.DoesNotContain(rules, r => (string?)r.Value!["level"] == "warning");
    }

    [Theory]
    [MemberData(nameof(AppTemplates))]
    public async Task Template_sets_every_setting_the_code_reads(string file)
    {
        var settings = AppSettingNames(await File.ReadAllTextAsync(Path.Combine(Infra, file)));
        var missing = SettingsTheCodeReads().Except(settings, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{file} does not set: {string.Join(", ", missing)}");

        // And with exactly those settings, the handler's storage options are identity-based: no connection string
        // (no keys), all three service URIs, and the user-assigned identity's client id.
        var options = StorageOptions.FromSettings(name => settings.Contains(name) ? "https://recsys.example.net/" : null);
        Assert.Null(options.ConnectionString);
        Assert.True(options.IsConfigured);
        Assert.NotNull(options.ManagedIdentityClientId);
        Assert.Contains("AzureWebJobsStorage__credential", settings);
        Assert.DoesNotContain("AzureWebJobsStorage", settings);
    }

    [Theory]
    [MemberData(nameof(AppTemplates))]
    public async Task Template_sets_no_setting_that_nothing_reads(string file)
    {
        var settings = AppSettingNames(await File.ReadAllTextAsync(Path.Combine(Infra, file)));
        var sample = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")))!;
        var known = SettingsTheCodeReads()
            .Concat(sample["Values"]!.AsObject().Select(p => p.Key)) // the documented settings
            .Concat(PlatformSettings)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = settings.Where(s => !known.Contains(s)).ToList();
        Assert.True(unknown.Count == 0, $"{file} sets settings nothing reads: {string.Join(", ", unknown)}");
    }

    [Fact]
    public async Task Flex_template_takes_the_runtime_from_functionAppConfig()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Infra, "main.bicep"));
        var settings = AppSettingNames(text);
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings);

        var template = await BuildAsync("main.bicep");
        var config = FindProperty(template, "functionAppConfig");
        Assert.NotNull(config);
        Assert.Equal("custom", (string?)config!["runtime"]!["name"]);
        Assert.Equal("1.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);

        var premium = await File.ReadAllTextAsync(Path.Combine(Infra, "premium.bicep"));
        Assert.Contains("{ name: 'FUNCTIONS_WORKER_RUNTIME', value: 'custom' }", premium, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_creates_every_container_queue_and_table_the_code_uses()
    {
        var template = await BuildAsync("modules/environment.bicep");
        var variables = template["variables"]!;
        Assert.Equal(StorageNames.Containers.Order(StringComparer.Ordinal), Strings(variables["containerNames"]).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Queues.Order(StringComparer.Ordinal), Strings(variables["queueNames"]).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Tables.Order(StringComparer.Ordinal), Strings(variables["tableNames"]).Order(StringComparer.Ordinal));

        // Every queue a function triggers on exists.
        foreach (var binding in FunctionBindings().Where(b => (string?)b["type"] == "queueTrigger"))
        {
            Assert.Contains((string)binding["queueName"]!, StorageNames.Queues);
        }
    }

    [Fact]
    public async Task Event_grid_sends_blob_created_in_the_imports_container_to_the_import_queue()
    {
        var template = await BuildAsync("modules/environment.bicep");
        Assert.Equal(StorageNames.ImportsContainer, (string?)template["variables"]!["importsContainer"]);
        Assert.Equal(StorageNames.ImportJobsQueue, (string?)template["variables"]!["importQueueName"]);

        var subscription = FindResource(template, "Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Assert.NotNull(subscription);
        var properties = subscription!["properties"]!;
        Assert.Equal("EventGridSchema", (string?)properties["eventDeliverySchema"]);
        Assert.Equal(["Microsoft.Storage.BlobCreated"], Strings(properties["filter"]!["includedEventTypes"]));
        Assert.Contains("variables('importsContainer')", (string?)properties["filter"]!["subjectBeginsWith"], StringComparison.Ordinal);
        var destination = properties["deliveryWithResourceIdentity"]!["destination"]!;
        Assert.Equal("StorageQueue", (string?)destination["endpointType"]);
        Assert.Contains("variables('importQueueName')", (string?)destination["properties"]!["queueName"], StringComparison.Ordinal);

        // The importJob function listens on that queue.
        Assert.Contains(FunctionBindings(), b => (string?)b["type"] == "queueTrigger" && (string?)b["queueName"] == StorageNames.ImportJobsQueue);
    }

    [Fact]
    public async Task App_identity_gets_the_data_roles_instead_of_keys()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Infra, "modules", "environment.bicep"));
        foreach (var role in new[]
        {
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
            "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", // Storage Queue Data Message Sender (Event Grid's topic)
        })
        {
            Assert.Contains($"'{role}'", text, StringComparison.Ordinal);
        }

        var main = await File.ReadAllTextAsync(Path.Combine(Infra, "main.bicep"));
        Assert.Contains("allowSharedKeyAccess: false", main, StringComparison.Ordinal);
        Assert.DoesNotContain("listKeys", main, StringComparison.Ordinal);
    }

    /// <summary>Settings the Functions platform reads (not the handler), which the templates may set.</summary>
    private static readonly string[] PlatformSettings =
    [
        "AzureWebJobsStorage__credential",          // the host's identity-based connection: use the managed identity
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", // the host sends telemetry with the identity (Entra ID)
        "FUNCTIONS_EXTENSION_VERSION",               // Premium only; Flex takes it from functionAppConfig
        "FUNCTIONS_WORKER_RUNTIME",                  // Premium only
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",  // Premium only: the Azure Files content share
        "WEBSITE_CONTENTSHARE",                      // Premium only
    ];

    /// <summary>
    /// The settings the app needs in Azure, derived from the code: the identity-based storage settings
    /// <see cref="StorageOptions.FromSettings"/> asks for (without the connection string and the account-name
    /// shortcut, which the URIs replace), the %Setting% names in functions/*/function.json, the settings each
    /// trigger's identity-based connection needs, and the Application Insights connection string.
    /// </summary>
    private static SortedSet<string> SettingsTheCodeReads()
    {
        var requested = new List<string>();
        StorageOptions.FromSettings(name =>
        {
            requested.Add(name);
            return null;
        });
        const string prefix = "AzureWebJobsStorage";
        var result = new SortedSet<string>(requested.Where(n => n != prefix && n != prefix + "__accountName"), StringComparer.Ordinal);
        Assert.Contains(prefix + "__clientId", result);

        foreach (var definition in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "functions"), "function.json", SearchOption.AllDirectories))
        {
            foreach (Match match in PercentSetting().Matches(File.ReadAllText(definition)))
            {
                result.Add(match.Groups[1].Value);
            }
        }

        foreach (var binding in FunctionBindings())
        {
            if (binding["connection"] is JsonNode connection)
            {
                var service = (string?)binding["type"] switch
                {
                    "queueTrigger" or "queue" => "queueServiceUri",
                    "blobTrigger" or "blob" => "blobServiceUri",
                    "table" => "tableServiceUri",
                    _ => null,
                };
                if (service is not null)
                {
                    result.Add($"{(string)connection!}__{service}");
                    result.Add($"{(string)connection!}__clientId");
                }
            }
        }

        result.Add("APPLICATIONINSIGHTS_CONNECTION_STRING");
        return result;
    }

    private static List<JsonNode> FunctionBindings() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "functions"), "function.json", SearchOption.AllDirectories)
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!["bindings"]!.AsArray())
            .Select(b => b!)
            .ToList();

    /// <summary>The names in the template's <c>{ name: '...', value: ... }</c> app settings.</summary>
    private static HashSet<string> AppSettingNames(string bicep)
    {
        var names = AppSetting().Matches(bicep).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(names);
        return names;
    }

    private static async Task<JsonNode> BuildAsync(string file)
    {
        var result = await BicepCli.RunAsync("build", Path.Combine(Infra, file), "--stdout");
        Assert.True(result.ExitCode == 0, result.StandardError);
        return JsonNode.Parse(result.StandardOutput)!;
    }

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!).ToList();

    private static JsonNode? FindProperty(JsonNode? node, string name) => node switch
    {
        JsonObject obj => obj.TryGetPropertyValue(name, out var value) ? value : obj.Select(p => FindProperty(p.Value, name)).FirstOrDefault(v => v is not null),
        JsonArray array => array.Select(n => FindProperty(n, name)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    private static JsonNode? FindResource(JsonNode? node, string type) => node switch
    {
        JsonObject obj when (obj["type"] as JsonValue)?.TryGetValue<string>(out var t) == true && t == type => obj,
        JsonObject obj => obj.Select(p => FindResource(p.Value, type)).FirstOrDefault(v => v is not null),
        JsonArray array => array.Select(n => FindResource(n, type)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    [GeneratedRegex(@"%([A-Za-z0-9_.:-]+)%")]
    private static partial Regex PercentSetting();

    [GeneratedRegex(@"\{\s*name:\s*'([^']+)'\s*,\s*value:")]
    private static partial Regex AppSetting();
}
