using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recsys.Functions.Composition;
using Recsys.Functions.Telemetry;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// The Recsys Functions app as it runs locally: the dev host process running the worker's build output as its child
/// process, over the host's gRPC protocol, against a test's own Azurite. Requests go through the dev host's port
/// (keys, routing, proxying) to the real worker. <see cref="Services"/> is the app's own composition root built on
/// the same storage in the test's process — to read what the app stored, never to run the app.
/// </summary>
internal sealed class FunctionsHost : IAsyncDisposable
{
    public const string MasterKey = DevHostProcess.MasterKey;
    public const string HostKey = DevHostProcess.HostKey;

    private readonly IHost _view;

    private FunctionsHost(DevHostProcess process, IHost view)
    {
        Process = process;
        _view = view;
        Storage = view.Services.GetRequiredService<StorageClients>();
    }

    /// <summary>The dev host process (its output, restart, stop).</summary>
    public DevHostProcess Process { get; }

    /// <summary>The dev host's address.</summary>
    public Uri BaseAddress => Process.Address;

    /// <summary>A client that sends no key.</summary>
    public HttpClient Client => Process.Client;

    /// <summary>The storage account the app uses.</summary>
    public StorageClients Storage { get; }

    /// <summary>The app's services built on the same storage, in the test's process, to read what the app stored.</summary>
    public IServiceProvider Services => _view.Services;

    /// <summary>The settings every test host starts with: no timer fires on its own, no demo, quiet logs.</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        ["ImportSweepSchedule"] = "0 0 0 1 1 *",
        ["RetrainSchedule"] = "0 0 0 1 1 *",
        ["CampaignRefreshSchedule"] = "0 0 0 1 1 *",
        ["EventCompactionSchedule"] = "0 0 0 1 1 *",
        ["JobWatchdogSchedule"] = "0 0 0 1 1 *",
        ["Recsys:DevHost:BlobScanInterval"] = "00:00:00.200",
        ["Recsys:DevHost:Demo"] = "false",
        ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("RECSYS_TEST_LOGLEVEL") ?? "Warning",
    };

    /// <summary>
    /// Starts the dev host and worker on <paramref name="connectionString"/>; <paramref name="settings"/> (as
    /// configuration keys, <c>:</c> or <c>__</c>) add to or override <see cref="Defaults"/>.
    /// </summary>
    public static async Task<FunctionsHost> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, string? hostId = null)
    {
        var values = new Dictionary<string, string?>(Defaults);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var appSettings = values.Where(v => v.Value is not null).ToDictionary(v => v.Key.Replace(":", "__", StringComparison.Ordinal), v => v.Value!);
        var process = await DevHostProcess.StartAsync(connectionString, hostId ?? "test-" + Guid.NewGuid().ToString("N")[..8], appSettings, DevHostProcess.RecsysWorkerDirectory);
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            // The test's view reads storage as it is, not as an instance's history cache remembers it.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(values)
            {
                ["AzureWebJobsStorage"] = connectionString,
                ["Recsys:Serving:HistoryCacheSeconds"] = "0",
            });
            builder.Services.AddRecsys(builder.Configuration);
            builder.AddRecsysTelemetry();
            return new FunctionsHost(process, builder.Build());
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends JSON with a key and returns the JSON answer (null when empty or not an object); an unexpected status
    /// throws with the response body, which is the failure a test wants to read.
    /// </summary>
    public async Task<JsonNode?> SendJsonAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK, string key = MasterKey)
    {
        using var request = WithKey(method, path, key, body);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException($"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        }

        return text.Length == 0 || !text.TrimStart().StartsWith('{') ? null : JsonNode.Parse(text);
    }

    /// <summary>A request with a key (the master key by default).</summary>
    public static HttpRequestMessage WithKey(HttpMethod method, string path, string key = MasterKey, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", key);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), new MediaTypeHeaderValue("application/json"));
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _view.Dispose();
    }
}
