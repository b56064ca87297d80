using System.Diagnostics;
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

        return ProcessResult.RunAsync("dotnet", [CliAssembly, .. arguments], workingDirectory, variables, TimeSpan.FromMinutes(8));
    }

    /// <summary>The CLI's build output of the same configuration.</summary>
    public static string CliAssembly => Path.Combine(RepositoryPaths.Root, "functions", "Recsys.Cli", "bin", DevHostProcess.Configuration, "net10.0", "Recsys.Cli.dll");

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

/// <summary>What a process printed and how it ended.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    public static async Task<ProcessResult> RunAsync(
        string program, IEnumerable<string> arguments, string? workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, string? stdin = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "RECSYS_ENDPOINT", "RECSYS_KEY", "RECSYS_STORAGE" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end within {timeout}:\n{await stdout}\n{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
