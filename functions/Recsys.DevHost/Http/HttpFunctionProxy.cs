using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Primitives;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Http;

/// <summary>
/// The host's HTTP pipeline for ASP.NET Core integration: matches the request to an HTTP function (404, 405), checks
/// its key (401), sends the worker an <c>InvocationRequest</c> with an empty <c>RpcHttp</c> and the route values,
/// and proxies the real request to the worker's own Kestrel with <c>x-ms-invocation-id</c>, streaming both bodies.
/// It completes when both the HTTP response and the <c>InvocationResponse</c> are in. A worker that dies meanwhile
/// gives 503 with <c>Retry-After</c>; <c>functionTimeout</c> gives 504.
/// </summary>
internal sealed class HttpFunctionProxy : IMiddleware, IDisposable
{
    private const string InvocationHeader = "x-ms-invocation-id";
    private const int RetryAfterSeconds = 5;
    private const int ForwardAttempts = 10;

    /// <summary>Longest request target (path and query) passed on; Kestrel's own limit is set above it so that longer ones get this problem, not a bare 414.</summary>
    public const int MaxRequestTargetLength = 8 * 1024;

    /// <summary>Most bytes of request headers passed on (Kestrel's own limit is set above it, as for the target).</summary>
    public const int MaxRequestHeadersBytes = 32 * 1024;

    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly HttpMessageInvoker _client;
    private readonly WorkerHost _workerHost;
    private readonly FunctionInvoker _invoker;
    private readonly KeyCheck _keys;
    private readonly HostAddresses _addresses;
    private readonly IInlineConstraintResolver _constraints;
    private readonly ILogger<HttpFunctionProxy> _logger;
    private readonly string _prefix;
    private volatile HttpFunctionRoutes? _routes;

    public HttpFunctionProxy(
        WorkerHost workerHost,
        FunctionInvoker invoker,
        KeyCheck keys,
        WorkerApp app,
        HostAddresses addresses,
        IInlineConstraintResolver constraints,
        ILogger<HttpFunctionProxy> logger)
    {
        _workerHost = workerHost;
        _invoker = invoker;
        _keys = keys;
        _addresses = addresses;
        _constraints = constraints;
        _logger = logger;
        _prefix = app.HostJson.RoutePrefix.Length == 0 ? string.Empty : "/" + app.HostJson.RoutePrefix;

        // One pooled handler for every forward: connections to the worker are reused, nothing is decompressed,
        // redirected or cookie-tracked, as a reverse proxy should.
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            EnableMultipleHttp2Connections = true,
        });
    }

    public void Dispose() => _client.Dispose();

    // The limits Kestrel would answer with an empty 414 or 431, answered as problems instead.
    private static async Task<bool> RejectOversizedAsync(HttpContext context)
    {
        var request = context.Request;
        var target = request.Path.Value!.Length + request.PathBase.Value!.Length + request.QueryString.Value!.Length;
        if (target > MaxRequestTargetLength)
        {
            await Problems.WriteAsync(context, StatusCodes.Status414UriTooLong, "URI too long",
                $"The path and query have {target} characters; the limit is {MaxRequestTargetLength}. Send long values in the body.");
            return true;
        }

        var headers = request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => (v?.Length ?? 0) + 4));
        if (headers > MaxRequestHeadersBytes)
        {
            await Problems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large",
                $"The request headers have about {headers} bytes; the limit is {MaxRequestHeadersBytes}.");
            return true;
        }

        return false;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Connection.LocalPort == _addresses.GrpcPort)
        {
            await next(context);
            return;
        }

        if (await RejectOversizedAsync(context))
        {
            return;
        }

        var path = context.Request.Path;
        PathString functionPath;
        if (_prefix.Length == 0)
        {
            if (path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/runtime", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            functionPath = path;
        }
        else if (!path.StartsWithSegments(_prefix, StringComparison.OrdinalIgnoreCase, out functionPath))
        {
            await next(context);
            return;
        }

        var routes = _routes;
        if (routes is null)
        {
            if (!_workerHost.Functions.IsCompletedSuccessfully)
            {
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Starting", "The worker is starting; try again shortly.", RetryAfterSeconds);
                return;
            }

            routes = _routes = new HttpFunctionRoutes(_workerHost.Functions.Result, _constraints);
        }

        var values = new RouteValueDictionary();
        var method = context.Request.Method;
        switch (routes.Match(context, functionPath.HasValue ? functionPath : new PathString("/"), method, values, out var function))
        {
            case HttpFunctionRoutes.MatchKind.None:
                await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", $"No function handles {path}.");
                return;
            case HttpFunctionRoutes.MatchKind.MethodNotAllowed:
                var allowed = string.Join(", ", function!.Methods);
                await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                    $"'{function.Name}' accepts {allowed}, not {method}.", allow: allowed);
                return;
        }

        if (!_keys.IsAuthorized(context, function!.AuthLevel, function.Name))
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                function.AuthLevel == AuthLevel.Admin
                    ? $"'{function.Name}' needs the master key in the {KeyCheck.KeyHeader} header or the code query parameter."
                    : $"'{function.Name}' needs a function key in the {KeyCheck.KeyHeader} header or the code query parameter.");
            return;
        }

        if (_workerHost.Current is not { } worker)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Worker unavailable", "The worker is restarting; try again shortly.", RetryAfterSeconds);
            return;
        }

        await ForwardAsync(context, function, worker, values);
    }

    private async Task ForwardAsync(HttpContext context, WorkerFunction function, ReadyWorker worker, RouteValueDictionary values)
    {
        var watch = Stopwatch.StartNew();
        var request = FunctionInvoker.NewRequest(function);
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } });
        foreach (var (name, value) in values)
        {
            if (value is not null)
            {
                request.TriggerMetadata[name] = FunctionInvoker.Text(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        var invocation = worker.Channel.InvokeAsync(request);
        if (invocation.IsFaulted)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Worker unavailable", "The worker is restarting; try again shortly.", RetryAfterSeconds);
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (_invoker.FunctionTimeout != Timeout.InfiniteTimeSpan)
        {
            cancel.CancelAfter(_invoker.FunctionTimeout);
        }

        try
        {
            using (var response = await SendAsync(context, worker, request.InvocationId, invocation, cancel.Token))
            {
                await RelayAsync(context, response, cancel.Token);
            }

            var result = await _invoker.WaitAsync(worker, request, invocation, context.RequestAborted);
            await _invoker.CompleteAsync(function, request.InvocationId, result, watch.ElapsedMilliseconds, context.RequestAborted, perRequest: true);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            worker.Channel.Cancel(request.InvocationId);
            Log.HttpTimedOut(_logger, function.Name, request.InvocationId, _invoker.FunctionTimeout);
            await Problems.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Function timeout",
                $"'{function.Name}' did not finish within the functionTimeout of {_invoker.FunctionTimeout}.");
        }
        catch (FunctionTimeoutException e)
        {
            await Problems.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Function timeout", e.Message);
        }
        catch (Exception e) when (e is WorkerUnavailableException or HttpRequestException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            worker.Channel.Cancel(request.InvocationId);
            Log.HttpWorkerLost(_logger, function.Name, request.InvocationId, e.Message);
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Worker unavailable",
                "The worker stopped while handling the request; it is being restarted. Try again shortly.", RetryAfterSeconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            worker.Channel.Cancel(request.InvocationId);
        }
    }

    /// <summary>
    /// Forwards the request, retrying while the worker's Kestrel does not accept connections yet (it reports its
    /// address before it listens), and gives up as soon as the invocation fails or the worker dies.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpContext context, ReadyWorker worker, string invocationId, Task<InvocationResponse> invocation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var message = CreateMessage(context, worker, invocationId);
            try
            {
                var send = _client.SendAsync(message, cancellationToken);
                if (await Task.WhenAny(send, invocation) == invocation && !send.IsCompleted)
                {
                    var result = await invocation;
                    if (result.Result?.Status != StatusResult.Types.Status.Success)
                    {
                        // The function failed before the worker answered the HTTP request: the worker still
                        // answers it (500) once it gives up on the pairing, so wait for that answer.
                        Log.HttpInvocationFailed(_logger, invocationId, result.Result?.Exception?.Message ?? "failed");
                    }
                }

                return await send;
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < ForwardAttempts && !invocation.IsFaulted)
            {
                await Task.Delay(Math.Min(50 * attempt, 250), cancellationToken);
            }
        }
    }

    private static HttpRequestMessage CreateMessage(HttpContext context, ReadyWorker worker, string invocationId)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(request.Method), worker.ForwardBase + request.PathBase + request.Path + request.QueryString)
        {
            Version = HttpVersion.Version11,
        };

        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var header in request.Headers)
        {
            if (s_hopByHop.Contains(header.Key))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        message.Headers.TryAddWithoutValidation(InvocationHeader, invocationId);
        return message;
    }

    private static async Task RelayAsync(HttpContext context, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        CopyHeaders(response.Headers, target.Headers);
        CopyHeaders(response.Content.Headers, target.Headers);
        target.Headers.Remove("Transfer-Encoding");
        await response.Content.CopyToAsync(target.Body, cancellationToken);
    }

    private static void CopyHeaders(HttpHeaders source, IHeaderDictionary target)
    {
        foreach (var header in source)
        {
            if (!s_hopByHop.Contains(header.Key))
            {
                target[header.Key] = header.Value is string[] array ? new StringValues(array) : new StringValues(header.Value.ToArray());
            }
        }
    }
}
