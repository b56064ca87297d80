using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recsys.Storage;
using static Recsys.Infrastructure.Tests.BicepTemplates;

namespace Recsys.Infrastructure.Tests;

/// <summary>
/// The zip infra/package.sh builds (once for the class): it is a .NET isolated-worker app folder, and the templates give
/// every function in its functions.metadata what it needs — each %Setting% its bindings name, the identity-based
/// settings of each storage connection, its place in the Flex scale groups, and, for the blob trigger, the Event Grid
/// subscription.
/// </summary>
public sealed partial class PackageTests(FunctionPackage package) : IClassFixture<FunctionPackage>
{
    private const string HostStorage = "AzureWebJobsStorage";

    /// <summary>Settings the Functions platform reads (not the bindings), which the templates may set.</summary>
    private static readonly string[] s_platformSettings =
    [
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", // host and worker send telemetry with the identity (Entra ID)
        "FUNCTIONS_EXTENSION_VERSION",               // Premium only; Flex takes it from functionAppConfig
        "FUNCTIONS_WORKER_RUNTIME",                  // Premium only
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",  // Premium only: the Azure Files content share
        "WEBSITE_CONTENTSHARE",                      // Premium only
    ];

    public static TheoryData<string> AppTemplateFiles => new(AppTemplates);

    [Fact]
    public void Package_is_an_isolated_worker_app_folder()
    {
        foreach (var required in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "Recsys.Functions.dll", "Recsys.Functions.deps.json", "Recsys.Functions.runtimeconfig.json" })
        {
            Assert.Contains(required, package.Entries);
        }

        Assert.Contains(package.Entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal));
        Assert.DoesNotContain(package.Entries, e => Path.GetFileName(e) == "function.json");
        Assert.DoesNotContain(package.Entries, e => e.StartsWith("local.settings", StringComparison.Ordinal));

        var description = package.WorkerConfig["description"]!;
        Assert.Equal("dotnet-isolated", (string?)description["language"]);
        Assert.Equal("dotnet", (string?)description["defaultExecutablePath"]);
        Assert.Contains((string)description["defaultWorkerPath"]!, package.Entries);

        // The host loads each binding extension from the hint path; all of them ship.
        var extensions = package.Extensions["extensions"]!.AsArray();
        Assert.NotEmpty(extensions);
        foreach (var extension in extensions)
        {
            var hintPath = (string)extension!["hintPath"]!;
            Assert.Contains(hintPath.StartsWith("./", StringComparison.Ordinal) ? hintPath[2..] : hintPath, package.Entries);
        }
    }

    [Fact]
    public void Host_json_is_for_the_isolated_worker()
    {
        var host = package.HostJson.AsObject();
        Assert.Equal("2.0", (string?)host["version"]);
        Assert.False(host.ContainsKey("customHandler"), "a .NET isolated app has no custom handler");
        Assert.False(host.ContainsKey("extensionBundle"), "a .NET isolated app brings its extensions (.azurefunctions/), not a bundle");

        // The worker exports OpenTelemetry (Microsoft.Azure.Functions.Worker.OpenTelemetry); the host must do the same
        // for its spans and logs to correlate with the worker's.
        Assert.Contains("Microsoft.Azure.Functions.Worker.OpenTelemetry.dll", package.Entries);
        Assert.Equal("OpenTelemetry", (string?)host["telemetryMode"], StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_function_in_the_metadata_has_one_trigger_and_its_code_in_the_package()
    {
        Assert.NotEmpty(package.Functions);
        Assert.Equal(package.Functions.Count, package.Functions.Select(f => (string)f["name"]!).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var function in package.Functions)
        {
            Assert.Equal("dotnet-isolated", (string?)function["language"]);
            Assert.Contains((string)function["scriptFile"]!, package.Entries);
            Assert.Single(function["bindings"]!.AsArray(), b => IsTrigger(b!.AsObject()));
        }
    }

    [Fact]
    public async Task Stack_versions_are_the_dotnet_the_worker_was_built_for()
    {
        var tfm = (string)package.RuntimeConfig["runtimeOptions"]!["tfm"]!;
        Assert.Matches(@"^net\d+\.\d+$", tfm);
        var version = tfm["net".Length..];

        var flex = FindProperty(await BuildAsync("main.bicep"), "functionAppConfig")!;
        Assert.Equal(version, (string?)flex["runtime"]!["version"]);
        var premium = FindProperty(await BuildAsync("premium.bicep"), "siteConfig")!;
        Assert.Equal($"DOTNET-ISOLATED|{version}", (string?)premium["linuxFxVersion"]);
    }

    [Theory]
    [MemberData(nameof(AppTemplateFiles))]
    public void Template_sets_every_setting_a_binding_names(string file)
    {
        var settings = AppSettingNames(file);
        var named = package.Bindings
            .SelectMany(b => StringValues(b.Binding).SelectMany(v => PercentSetting().Matches(v)).Select(m => (b.Function, Setting: m.Groups[1].Value)))
            .ToList();
        Assert.NotEmpty(named); // the timers' schedules at least
        var missing = named.Where(n => !settings.Contains(n.Setting)).Select(n => $"{n.Setting} ({n.Function})").ToList();
        Assert.True(missing.Count == 0, $"{file} does not set: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(AppTemplateFiles))]
    public void Template_gives_every_storage_connection_its_identity_settings(string file)
    {
        var settings = AppSettingNames(file);
        var needed = package.Bindings.SelectMany(b => ConnectionSettings(b.Binding).Select(s => (b.Function, Setting: s))).ToList();
        Assert.Contains(needed, n => n.Setting == HostStorage + "__blobServiceUri");
        var missing = needed.Where(n => !settings.Contains(n.Setting)).Select(n => $"{n.Setting} ({n.Function})").Distinct().ToList();
        Assert.True(missing.Count == 0, $"{file} does not set: {string.Join(", ", missing)}");

        // Identity only: no connection string (no account key) for any connection a binding uses.
        foreach (var connection in needed.Select(n => n.Setting.Split("__")[0]).Distinct())
        {
            Assert.DoesNotContain(connection, settings);
        }
    }

    [Theory]
    [MemberData(nameof(AppTemplateFiles))]
    public void Template_sets_the_settings_the_worker_reads_and_no_setting_that_nothing_reads(string file)
    {
        var settings = AppSettingNames(file);
        var worker = WorkerSettings();
        var missing = worker.Except(settings, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{file} does not set: {string.Join(", ", missing)}");

        // With exactly those settings the worker's own storage clients are identity-based too: all three service
        // URIs and the user-assigned identity's client id, no connection string.
        var options = StorageOptions.FromSettings(name => settings.Contains(name) ? "https://recsys.example.net/" : null);
        Assert.Null(options.ConnectionString);
        Assert.True(options.IsConfigured);
        Assert.NotNull(options.ManagedIdentityClientId);

        var known = worker
            .Concat(package.Bindings.SelectMany(b => ConnectionSettings(b.Binding)))
            .Concat(package.Bindings.SelectMany(b => StringValues(b.Binding).SelectMany(v => PercentSetting().Matches(v)).Select(m => m.Groups[1].Value)))
            .Concat(s_platformSettings)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = settings.Where(s => !known.Contains(s)).ToList();
        Assert.True(unknown.Count == 0, $"{file} sets settings nothing reads: {string.Join(", ", unknown)}");
    }

    [Fact]
    public async Task Environment_creates_every_queue_and_container_a_trigger_watches()
    {
        var variables = (await BuildAsync("modules/environment.bicep"))["variables"]!;
        var queues = Strings(variables["queueNames"]);
        var containers = Strings(variables["containerNames"]);
        foreach (var (function, binding) in package.Bindings)
        {
            switch ((string?)binding["type"])
            {
                case "queueTrigger":
                    Assert.True(queues.Contains((string)binding["queueName"]!), $"{function}: no queue {binding["queueName"]}");
                    break;
                case "blobTrigger":
                    var container = ((string)binding["path"]!).Split('/')[0];
                    Assert.True(containers.Contains(container), $"{function}: no container {container}");
                    break;
            }
        }
    }

    [Fact]
    public async Task Event_grid_subscription_invokes_a_blob_trigger_of_the_package_with_the_event_grid_source()
    {
        var variables = (await BuildAsync("eventgrid.bicep"))["variables"]!;
        var name = (string)variables["importFunction"]!;
        var function = Assert.Single(package.Functions, f => (string?)f["name"] == name);
        var trigger = Assert.Single(function["bindings"]!.AsArray(), b => IsTrigger(b!.AsObject()))!;
        Assert.Equal("blobTrigger", (string?)trigger["type"]);
        Assert.Equal("EventGrid", (string?)trigger["source"]);

        // The subscription's subject filter is the container the trigger's path watches.
        Assert.StartsWith((string)variables["importsContainer"]! + "/", (string?)trigger["path"], StringComparison.Ordinal);
        Assert.Equal(StorageNames.ImportsContainer, (string)variables["importsContainer"]!);
    }

    [Fact]
    public async Task Flex_template_names_every_function_that_scales_on_its_own_instances()
    {
        // Flex groups the HTTP functions and the Event Grid blob functions; every other function — the queue jobs
        // (trainingJob, importJob, batchJob) above all — scales on its own. The scaleGroups output says which.
        var output = (await BuildAsync("main.bicep"))["outputs"]!["scaleGroups"]!["value"]!;
        var own = Strings(output["ownInstances"]).Order(StringComparer.Ordinal).ToList();
        var expected = package.Functions
            .Where(f => f["bindings"]!.AsArray().Any(b => IsTrigger(b!.AsObject()) && !IsGrouped(b!.AsObject())))
            .Select(f => (string)f["name"]!)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, own);
        Assert.Contains("trainingJob", own);
        Assert.Contains("importJob", own);
        Assert.Contains("batchJob", own);
    }

    /// <summary>
    /// The settings the worker reads at start: its storage clients' identity-based settings (what
    /// <see cref="StorageOptions.FromSettings"/> asks for, without the connection string and the account-name shortcut,
    /// which the URIs replace) and the Application Insights connection string.
    /// </summary>
    private static SortedSet<string> WorkerSettings()
    {
        var requested = new List<string>();
        StorageOptions.FromSettings(name =>
        {
            requested.Add(name);
            return null;
        });
        var result = new SortedSet<string>(requested.Where(n => n != HostStorage && n != HostStorage + "__accountName"), StringComparer.Ordinal)
        {
            HostStorage + "__credential",
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
        };
        Assert.Contains(HostStorage + "__clientId", result);
        return result;
    }

    /// <summary>
    /// The settings an identity-based storage connection of <paramref name="binding"/> needs: the URI of each service
    /// the extension uses, <c>__credential</c> and the user-assigned identity's <c>__clientId</c>. A binding type this
    /// does not know fails the test: a new extension must say what it needs here.
    /// </summary>
    private static IEnumerable<string> ConnectionSettings(JsonObject binding)
    {
        var type = (string)binding["type"]!;
        string[] services = type switch
        {
            "httpTrigger" or "http" => [],
            "queueTrigger" or "queue" => ["queueServiceUri"],
            // Blob receipts and the blob trigger's internal queue (and its poison queue) live beside the blobs.
            "blobTrigger" => ["blobServiceUri", "queueServiceUri"],
            "blob" => ["blobServiceUri"],
            "table" => ["tableServiceUri"],
            // The host keeps timer locks and schedule status in blobs of its own storage account.
            "timerTrigger" => ["blobServiceUri"],
            _ => throw new Xunit.Sdk.XunitException($"Binding type '{type}' is unknown to this test: add the settings its connection needs."),
        };
        if (services.Length == 0)
        {
            return [];
        }

        var connection = type == "timerTrigger" ? HostStorage : (string?)binding["connection"] ?? HostStorage;
        return services.Select(s => $"{connection}__{s}").Append($"{connection}__credential").Append($"{connection}__clientId");
    }

    private static bool IsTrigger(JsonObject binding) => ((string)binding["type"]!).EndsWith("Trigger", StringComparison.Ordinal);

    /// <summary>Whether Flex scales the trigger in a group (HTTP, Event Grid blob) rather than on its own.</summary>
    private static bool IsGrouped(JsonObject trigger) => (string?)trigger["type"] switch
    {
        "httpTrigger" => true,
        "blobTrigger" => (string?)trigger["source"] == "EventGrid",
        _ => false,
    };

    private static IEnumerable<string> StringValues(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => StringValues(p.Value)),
        JsonArray array => array.SelectMany(StringValues),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    [GeneratedRegex(@"%([A-Za-z0-9_.:-]+)%")]
    private static partial Regex PercentSetting();
}
