using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Recsys.Cli;

/// <summary>
/// The Recsys HTTP API as the CLI uses it: JSON in and out with the key in <c>x-functions-key</c>. A connection
/// failure becomes <see cref="ExitCodes.Unreachable"/>, an error answer <see cref="ExitCodes.Refused"/> with the
/// problem's detail (what the service says went wrong).
/// </summary>
internal sealed class RecsysClient(Uri endpoint, string key) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(2) };

    public Uri Endpoint => endpoint;

    public Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonObject> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, path, body, cancellationToken);

    /// <summary>GET that answers null for 404 (a resource that does not exist yet).</summary>
    public async Task<JsonObject?> FindAsync(string path, CancellationToken cancellationToken)
    {
        var (status, text) = await SendRawAsync(HttpMethod.Get, path, null, cancellationToken);
        return status == HttpStatusCode.NotFound ? null : Parse(HttpMethod.Get, path, status, text);
    }

    /// <summary>GET of a text resource (an error report); null for 404.</summary>
    public async Task<string?> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        var (status, text) = await SendRawAsync(HttpMethod.Get, path, null, cancellationToken);
        if (status == HttpStatusCode.NotFound)
        {
            return null;
        }

        if ((int)status >= 400)
        {
            throw Refusal(HttpMethod.Get, path, status, text);
        }

        return text;
    }

    public async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var (status, text) = await SendRawAsync(method, path, body, cancellationToken);
        return Parse(method, path, status, text);
    }

    /// <summary>Sends and answers the status and body; only a connection failure throws.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendRawAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Add("x-functions-key", key);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new CliException(ExitCodes.Unreachable, $"Recsys does not answer at {endpoint} ({(e.InnerException as SocketException)?.Message ?? e.Message}). "
                + "Start it with `dotnet run --project functions/Recsys.DevHost`, or point --endpoint (RECSYS_ENDPOINT) at your deployment.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"Recsys at {endpoint} did not answer {method} {path} within {_http.Timeout.TotalSeconds:0} s.");
        }
    }

    public void Dispose() => _http.Dispose();

    private JsonObject Parse(HttpMethod method, string path, HttpStatusCode status, string text)
    {
        if ((int)status >= 400)
        {
            throw Refusal(method, path, status, text);
        }

        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }

    private CliException Refusal(HttpMethod method, string path, HttpStatusCode status, string text)
    {
        string? detail = null;
        try
        {
            var problem = JsonNode.Parse(text) as JsonObject;
            detail = (string?)problem?["detail"] ?? (string?)problem?["title"];
            if (problem?["errors"] is JsonObject errors && errors.Count > 0)
            {
                detail += " " + string.Join(" ", errors.SelectMany(e => (e.Value as JsonArray ?? []).Select(m => $"[{e.Key}] {m}")).Distinct());
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a problem document: show the start of whatever came back.
        }

        detail ??= text.Length > 300 ? text[..300] : text;
        var hint = status == HttpStatusCode.Unauthorized ? $" (check --key / RECSYS_KEY: the manage API needs the master key of {endpoint})" : string.Empty;
        return new CliException(ExitCodes.Refused, $"{method} /{path.TrimStart('/')}: {(int)status} {detail}{hint}");
    }
}
