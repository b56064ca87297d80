using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recsys.Testing;

/// <summary>
/// The dev host as a process (<c>dotnet Recsys.DevHost.dll</c>) running a worker's build output (the Recsys Functions
/// app, or the dev host tests' fixture worker) against a test's own Azurite. It binds port 0 and reports the address it got; the test then checks that this address answers as
/// this dev host (its host id in <c>/admin/host/status</c>) before using it.
/// </summary>
public sealed partial class DevHostProcess : IAsyncDisposable
{
    public const string MasterKey = "test-master-key";
    public const string HostKey = "test-host-key";
    public const string FunctionKey = "test-function-key";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly string _settingsFile;

    private DevHostProcess(Process process, ConcurrentQueue<string> output, string settingsFile, Uri address, string hostId)
    {
        _process = process;
        _output = output;
        _settingsFile = settingsFile;
        Address = address;
        HostId = hostId;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public string HostId { get; }

    public HttpClient Client { get; }

    /// <summary>Everything the dev host wrote so far.</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    public static string Configuration { get; } = typeof(DevHostProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    /// <summary>The dev host tests' fixture worker, built with the same configuration.</summary>
    public static string TestWorkerDirectory => Path.Combine(RepositoryPaths.Root, "tests", "Recsys.DevHost.TestWorker", "bin", Configuration, "net10.0");

    /// <summary>The Recsys Functions app's build output, built with the same configuration.</summary>
    public static string RecsysWorkerDirectory => Path.Combine(RepositoryPaths.Root, "functions", "Recsys.Functions", "bin", Configuration, "net10.0");

    public static string DevHostAssembly => Path.Combine(RepositoryPaths.Root, "functions", "Recsys.DevHost", "bin", Configuration, "net10.0", "Recsys.DevHost.dll");

    [GeneratedRegex(@"Dev host ready on (http://127\.0\.0\.1:\d+/)", RegexOptions.CultureInvariant)]
    private static partial Regex ReadyLine();

    /// <summary>Starts a dev host; <paramref name="settings"/> add to or override the defaults below.</summary>
    public static async Task<DevHostProcess> StartAsync(string storage, string hostId, IReadOnlyDictionary<string, string>? settings = null, string? appDirectory = null)
    {
        var values = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = storage,
            ["Recsys__DevHost__MasterKey"] = MasterKey,
            ["Recsys__DevHost__HostKey"] = HostKey,
            ["Recsys__DevHost__FunctionKeys__FunctionEcho"] = FunctionKey,
            ["Recsys__DevHost__HostId"] = hostId,
            ["Recsys__DevHost__BlobScanInterval"] = "00:00:00.500",
            ["TickSchedule"] = "0 0 0 1 1 *",
            ["WorkQueue"] = "work",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var settingsFile = Path.Combine(Path.GetTempPath(), $"recsys-devhost-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(settingsFile, new JsonObject { ["Values"] = JsonSerializer.SerializeToNode(values) }.ToJsonString());

        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { DevHostAssembly, "--app", appDirectory ?? TestWorkerDirectory, "--settings", settingsFile, "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's environment may steer the dev host's or the worker's listeners.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "AzureWebJobsStorage" })
        {
            start.Environment.Remove(name);
        }

        var output = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (ReadyLine().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(120))) != ready.Task)
            {
                throw new InvalidOperationException("The dev host did not get ready:\n" + string.Join("\n", output));
            }

            var host = new DevHostProcess(process, output, settingsFile, await ready.Task, hostId);
            await host.CheckIdentityAsync();
            return host;
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw;
        }
    }

    /// <summary>Asks <c>/admin/host/status</c> and makes sure this dev host (its host id and worker) answers.</summary>
    public async Task<JsonObject> StatusAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/host/status");
        request.Headers.Add("x-functions-key", MasterKey);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Stops the dev host as Ctrl+C would (SIGTERM), so that it terminates its worker.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills the dev host and its worker at once, as a crash of the machine would (no terminate message).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
        _process.Dispose();
        File.Delete(_settingsFile);
    }

    private async Task CheckIdentityAsync()
    {
        var status = await StatusAsync();
        if ((string?)status["id"] != HostId || (string?)status["host"] != "Recsys.DevHost")
        {
            throw new InvalidOperationException($"{Address} answers as {status.ToJsonString()}, not as dev host '{HostId}'.");
        }
    }
}
