using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// Runs the real Recsys executable's app in-process (tests and the benchmarks that need a running service): the local host (or, with <c>handlerPort</c>, the custom handler
/// alone) on a free loopback port against a test's Azurite.
/// </summary>
internal sealed class LocalHostRunner : IAsyncDisposable
{
    public const string MasterKey = "test-master-key";
    public const string HostKey = "test-host-key";

    private readonly WebApplication _app;

    private LocalHostRunner(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
        Storage = app.Services.GetRequiredService<StorageClients>();
    }

    public Uri BaseAddress { get; }

    /// <summary>A client that sends no key.</summary>
    public HttpClient Client { get; }

    public StorageClients Storage { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LocalHostRunner> StartAsync(
        string connectionString, IDictionary<string, string?>? settings = null, string? scriptRoot = null, bool asCustomHandler = false)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Recsys:LocalHost:Port"] = "0",
            ["Recsys:LocalHost:MasterKey"] = MasterKey,
            ["Recsys:LocalHost:HostKey"] = HostKey,
            ["Recsys:LocalHost:ImportsPollInterval"] = "00:00:00.200",
            ["ImportSweepSchedule"] = "0 0 0 1 1 *",
            ["RetrainSchedule"] = "0 0 0 1 1 *",
            ["CampaignRefreshSchedule"] = "0 0 0 1 1 *",
            ["EventCompactionSchedule"] = "0 0 0 1 1 *",
            ["Recsys:LocalHost:Demo"] = "false",
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("RECSYS_TEST_LOGLEVEL") ?? "Warning",
        };
        if (asCustomHandler)
        {
            values["FUNCTIONS_CUSTOMHANDLER_PORT"] = Azurite.FreePorts(1)[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = RecsysApp.Build(
            ["--script-root", scriptRoot ?? RepositoryPaths.Root],
            builder => builder.Configuration.AddInMemoryCollection(values));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalHostRunner(app, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)));
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

    /// <summary>A request with the master key.</summary>
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
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A copy of the app's script root in the packaged layout (host.json beside the function folders), to edit.</summary>
internal sealed class ScriptRootCopy : IDisposable
{
    public ScriptRootCopy(Action<JsonObject>? editHost = null, Action<string, JsonObject>? editFunction = null)
    {
        Path = Directory.CreateTempSubdirectory("recsys-script-root-").FullName;
        var host = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(RepositoryPaths.Root, "host.json")))!.AsObject();
        editHost?.Invoke(host);
        File.WriteAllText(System.IO.Path.Combine(Path, "host.json"), host.ToJsonString());
        foreach (var definition in Directory.GetFiles(System.IO.Path.Combine(RepositoryPaths.Root, "functions"), "function.json", SearchOption.AllDirectories))
        {
            var name = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(definition))!;
            var json = JsonNode.Parse(File.ReadAllText(definition))!.AsObject();
            editFunction?.Invoke(name, json);
            Directory.CreateDirectory(System.IO.Path.Combine(Path, name));
            File.WriteAllText(System.IO.Path.Combine(Path, name, "function.json"), json.ToJsonString());
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
