using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Recsys.Functions.Hosting;

namespace Recsys.Functions.LocalHost;

/// <summary>Outcome of one invocation as the host sees it.</summary>
internal sealed record InvocationOutcome(bool Succeeded, int StatusCode, string Body);

/// <summary>
/// Sends invocations to the handler exactly as the Functions host does: <c>POST /{FunctionName}</c> over HTTP with
/// <c>{Data, Metadata}</c>, the host's headers, and non-2xx meaning failure. The local host and the handler share a
/// process and a port, so it calls its own address (with the master key, which the local host demands there).
/// </summary>
internal sealed class FunctionInvoker(
    IHttpClientFactory httpClientFactory,
    IServer server,
    FunctionApp functionApp,
    Microsoft.Extensions.Options.IOptions<LocalHostOptions> options,
    ILogger<FunctionInvoker> logger)
{
    public const string HttpClientName = "local-host-invoker";

    public async Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject data, JsonObject metadata, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid().ToString();
        metadata["sys"] = new JsonObject
        {
            ["MethodName"] = functionName,
            ["UtcNow"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["RandGuid"] = Guid.NewGuid().ToString(),
        };
        var payload = new JsonObject { ["Data"] = data, ["Metadata"] = metadata };

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseAddress(), functionName))
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Azure-Functions-InvocationId", invocationId);
        request.Headers.Add("X-Azure-Functions-HostVersion", "recsys-local");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Azure-Functions-Host", "recsys-local"));
        request.Headers.Add(KeyAuthorization.KeyHeader, options.Value.MasterKey);

        var client = httpClientFactory.CreateClient(HttpClientName);
        client.Timeout = functionApp.FunctionTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : functionApp.FunctionTimeout + TimeSpan.FromMinutes(1);

        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            Log.InvocationSucceeded(logger, functionName, invocationId, watch.ElapsedMilliseconds);
            foreach (var line in LogLines(body))
            {
                Log.InvocationLog(logger, functionName, line);
            }
        }
        else
        {
            Log.InvocationFailed(logger, functionName, invocationId, (int)response.StatusCode, body.Length > 2000 ? body[..2000] : body);
        }

        return new InvocationOutcome(response.IsSuccessStatusCode, (int)response.StatusCode, body);
    }

    private Uri BaseAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The local host is not listening yet.");
        var uri = new UriBuilder(address) { Host = "127.0.0.1", Path = "/" };
        return uri.Uri;
    }

    private static string[] LogLines(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["Logs"] is JsonArray logs
                ? logs.Select(l => l?.ToString() ?? string.Empty).ToArray()
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
