using System.Text.Json.Nodes;
using Recsys.Storage;
using static Recsys.Infrastructure.Tests.BicepTemplates;

namespace Recsys.Infrastructure.Tests;

/// <summary>
/// The Bicep in infra/: every file builds and lints without a single warning (with infra/bicepconfig.json raising
/// the linter rules to errors), the app runs on the dotnet-isolated 10.0 stack, and the environment creates what the
/// code uses. What the functions themselves need (their settings, the Event Grid target) is checked against the
/// built package in <see cref="PackageTests"/>.
/// </summary>
public sealed class InfrastructureTests
{
    public static TheoryData<string> AppTemplateFiles => new(AppTemplates);

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

    [Fact]
    public async Task Flex_template_runs_the_dotnet_isolated_10_stack_from_functionAppConfig()
    {
        var settings = AppSettingNames("main.bicep");
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings);

        var config = FindProperty(await BuildAsync("main.bicep"), "functionAppConfig")!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);
    }

    [Fact]
    public async Task Flex_template_keeps_only_the_http_group_warm()
    {
        // Per-function scaling: the queue functions (trainingJob above all) get instances of their own on demand; the
        // only always-ready instances belong to the HTTP group, so that serving keeps its instances.
        var scale = FindProperty(await BuildAsync("main.bicep"), "scaleAndConcurrency")!;
        var alwaysReady = (string)scale["alwaysReady"]!;
        Assert.Contains("createObject('name', 'http', 'instanceCount', parameters('httpAlwaysReadyInstances'))", alwaysReady, StringComparison.Ordinal);
        Assert.DoesNotContain("function:", alwaysReady, StringComparison.Ordinal);
        Assert.Contains("createObject('http', createObject('perInstanceConcurrency'", (string)scale["triggers"]!, StringComparison.Ordinal);

        var parameters = (await BuildAsync("main.bicep"))["parameters"]!;
        Assert.True((int)parameters["httpAlwaysReadyInstances"]!["defaultValue"]! >= 1);
        Assert.True((bool?)parameters["httpPerInstanceConcurrency"]!["nullable"]);
    }

    [Fact]
    public async Task Premium_template_runs_the_dotnet_isolated_10_stack()
    {
        var text = Text("premium.bicep");
        Assert.Contains("{ name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }", text, StringComparison.Ordinal);
        Assert.Contains("{ name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }", text, StringComparison.Ordinal);
        var siteConfig = FindProperty(await BuildAsync("premium.bicep"), "siteConfig")!;
        Assert.Equal("DOTNET-ISOLATED|10.0", (string?)siteConfig["linuxFxVersion"]);
    }

    [Fact]
    public async Task Environment_creates_every_container_queue_and_table_the_code_uses()
    {
        var variables = (await BuildAsync("modules/environment.bicep"))["variables"]!;
        Assert.Equal(StorageNames.Containers.Order(StringComparer.Ordinal), Strings(variables["containerNames"]).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Queues.Order(StringComparer.Ordinal), Strings(variables["queueNames"]).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Tables.Order(StringComparer.Ordinal), Strings(variables["tableNames"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Environment_creates_the_system_topic_but_no_subscription()
    {
        // The subscription needs the deployed code's key (eventgrid.bicep); nothing routes blob events to a queue any more.
        var template = await BuildAsync("modules/environment.bicep");
        var topic = Assert.Single(FindResources(template, "Microsoft.EventGrid/systemTopics"));
        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
        Assert.Contains("Microsoft.Storage/storageAccounts", (string?)topic["properties"]!["source"], StringComparison.Ordinal);
        Assert.Empty(FindResources(template, "Microsoft.EventGrid/systemTopics/eventSubscriptions"));
        Assert.DoesNotContain("StorageQueue", Text("modules/environment.bicep"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_grid_template_sends_blob_created_under_imports_to_the_blob_extension_webhook()
    {
        var template = await BuildAsync("eventgrid.bicep");
        Assert.Equal(StorageNames.ImportsContainer, (string?)template["variables"]!["importsContainer"]);
        var subscription = Assert.Single(FindResources(template, "Microsoft.EventGrid/systemTopics/eventSubscriptions"));
        var properties = subscription["properties"]!;
        Assert.Equal("EventGridSchema", (string?)properties["eventDeliverySchema"]);
        Assert.Equal(["Microsoft.Storage.BlobCreated"], Strings(properties["filter"]!["includedEventTypes"]));
        Assert.Equal("[format('/blobServices/default/containers/{0}/', variables('importsContainer'))]", (string?)properties["filter"]!["subjectBeginsWith"]);

        Assert.Equal("WebHook", (string?)properties["destination"]!["endpointType"]);
        var url = (string)properties["destination"]!["properties"]!["endpointUrl"]!;
        Assert.StartsWith("[format('https://{0}/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}', ", url, StringComparison.Ordinal);
        Assert.Contains(".defaultHostName, variables('importFunction'), listKeys(format('{0}/host/default', resourceId('Microsoft.Web/sites', parameters('appName')))", url, StringComparison.Ordinal);
        Assert.EndsWith(".systemKeys.blobs_extension)]", url, StringComparison.Ordinal);

        // The key never leaves the deployment.
        Assert.DoesNotContain(template["outputs"]!.AsObject(), o => o.Value!.ToJsonString().Contains("listKeys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task App_identity_gets_the_data_roles_instead_of_keys()
    {
        var text = Text("modules/environment.bicep");
        foreach (var role in new[]
        {
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner: the blob trigger, timer locks, our blobs
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor: queue triggers, the blob trigger's queues
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor: our records
            "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher: telemetry with Entra ID
        })
        {
            Assert.Contains($"'{role}'", text, StringComparison.Ordinal);
        }

        var assignments = FindResources(await BuildAsync("modules/environment.bicep"), "Microsoft.Authorization/roleAssignments");
        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.Contains("userAssignedIdentities", (string?)a["properties"]!["principalId"], StringComparison.Ordinal));

        var main = Text("main.bicep");
        Assert.Contains("allowSharedKeyAccess: false", main, StringComparison.Ordinal);
        Assert.DoesNotContain("listKeys", main, StringComparison.Ordinal);
    }
}
