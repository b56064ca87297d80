using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Recsys.DevHost.TestWorker;

/// <summary>HTTP functions: one per auth level with a route value, a catch-all, a slow one, one that crashes.</summary>
public sealed class HttpFunctions
{
    [Function("AnonymousEcho")]
    public static IActionResult Anonymous([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "anon/{id}")] HttpRequest request, string id)
        => Echo(request, "AnonymousEcho", id);

    [Function("FunctionEcho")]
    public static IActionResult FunctionLevel([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "fn/{id}")] HttpRequest request, string id)
        => Echo(request, "FunctionEcho", id);

    [Function("AdminEcho")]
    public static IActionResult AdminLevel([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "adm/{id}")] HttpRequest request, string id)
        => Echo(request, "AdminEcho", id);

    [Function("CatchAll")]
    public static IActionResult CatchAll([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "files/{*path}")] HttpRequest request, string path)
        => Echo(request, "CatchAll", path);

    [Function("Upload")]
    public static async Task<IActionResult> Upload([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "upload")] HttpRequest request)
    {
        // Streams the body back with its length, to prove that bodies pass both ways.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return new FileContentResult(buffer.ToArray(), request.ContentType ?? "application/octet-stream");
    }

    [Function("Slow")]
    public static async Task<IActionResult> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "slow")] HttpRequest request)
    {
        await Task.Delay(TimeSpan.FromMinutes(2), request.HttpContext.RequestAborted);
        return new OkResult();
    }

    [Function("Crash")]
    public static IActionResult Crash([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "crash")] HttpRequest request)
    {
        // Dies mid-request, as a worker hit by an out-of-memory kill would.
        Process.GetCurrentProcess().Kill();
        return new OkResult();
    }

    [Function("Enqueue")]
    public static EnqueueOutput Enqueue([HttpTrigger(AuthorizationLevel.Function, "post", Route = "enqueue/{text}")] HttpRequest request, string text)
        => new() { Result = new AcceptedResult(), Message = text };

    private static OkObjectResult Echo(HttpRequest request, string function, string value) => new(new
    {
        function,
        value,
        method = request.Method,
        path = request.Path.Value,
        query = request.QueryString.Value,
        pid = Environment.ProcessId,
    });
}

/// <summary>An HTTP answer and a queue message from one invocation (the host writes the message).</summary>
public sealed class EnqueueOutput
{
    [HttpResult]
    public IActionResult? Result { get; init; }

    [QueueOutput("%WorkQueue%")]
    public string? Message { get; init; }
}
