using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Console.Tests;

/// <summary>
/// One Recsys for every console, CLI and README test: a test's own Azurite and the dev host running the worker's
/// build with the demo on (as the README's run command does), ready once <c>demo-campaign</c> serves.
/// </summary>
public sealed class ConsoleHostFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private DevHostProcess? _host;

    public DevHostProcess Host => _host ?? throw new InvalidOperationException("The fixture did not start.");

    public string StorageConnectionString => _azurite!.ConnectionString;

    public Uri Address => Host.Address;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        _host = await DevHostProcess.StartAsync(_azurite.ConnectionString, "console-" + Guid.NewGuid().ToString("N")[..8], new Dictionary<string, string>
        {
            ["Recsys__DevHost__Demo"] = "true",
            ["Recsys__DevHost__BlobScanInterval"] = "00:00:00.200",
            ["ImportSweepSchedule"] = "0 0 0 1 1 *",
            ["RetrainSchedule"] = "0 0 0 1 1 *",
            ["CampaignRefreshSchedule"] = "0 0 0 1 1 *",
            ["EventCompactionSchedule"] = "0 0 0 1 1 *",
            ["JobWatchdogSchedule"] = "0 0 0 1 1 *",
            ["Logging__LogLevel__Default"] = Environment.GetEnvironmentVariable("RECSYS_TEST_LOGLEVEL") ?? "Warning",
        }, DevHostProcess.RecsysWorkerDirectory);

        // The demo imports its shop, trains and deploys demo-campaign by itself.
        await Eventually.HoldsAsync(
            async () =>
            {
                var (status, body) = await SendAsync(HttpMethod.Get, "api/manage/campaigns/demo-campaign");
                return status == HttpStatusCode.OK && (string?)body?["campaign"]?["status"] == "ACTIVE";
            },
            "the demo campaign is deployed\n" + string.Join("\n", Host.Output.TakeLast(30)),
            TimeSpan.FromMinutes(6));
    }

    /// <summary>Sends a request with a key (the master key by default) and returns the status and the JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null, string key = DevHostProcess.MasterKey)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", key);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), new MediaTypeHeaderValue("application/json"));
        }

        using var response = await Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : null);
    }

    /// <summary>Runs the CLI's build output with <paramref name="arguments"/>, pointed at this host and its storage unless <paramref name="environment"/> says otherwise.</summary>
    public Task<ProcessResult> RunCliAsync(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["RECSYS_ENDPOINT"] = Address.ToString(),
            ["RECSYS_KEY"] = DevHostProcess.MasterKey,
            ["RECSYS_STORAGE"] = StorageConnectionString,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return ProcessResult.RunAsync("dotnet", [CliAssembly, .. arguments], TimeSpan.FromMinutes(8), workingDirectory, variables);
    }

    /// <summary>The CLI's build output of the same configuration.</summary>
    public static string CliAssembly => Path.Combine(RepositoryPaths.Root, "functions", "Recsys.Cli", "bin", DevHostProcess.Configuration, "net10.0", "Recsys.Cli.dll");

    /// <summary>The CLI's settings unset, so that a test's process never reads the developer's own.</summary>
    public static IReadOnlyDictionary<string, string?> WithoutCliSettings { get; } = new Dictionary<string, string?>
    {
        ["RECSYS_ENDPOINT"] = null, ["RECSYS_KEY"] = null, ["RECSYS_STORAGE"] = null,
    };

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

/// <summary>The tests that share one <see cref="ConsoleHostFixture"/> (and so run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleHostGroup : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host";
}
