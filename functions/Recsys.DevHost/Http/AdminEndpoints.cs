using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Options;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Triggers;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Http;

/// <summary>
/// The host's admin API as far as local work needs it: <c>GET /admin/host/ping</c> (anonymous),
/// <c>GET /admin/host/status</c> and <c>POST /admin/functions/{name}</c> with <c>{"input": "..."}</c> (master key),
/// which runs a non-HTTP function now: a timer gets a manual TimerInfo, a queue function the input as its message,
/// a blob function the blob named by the input (<c>container/blob</c>).
/// </summary>
internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin");
        admin.MapMethods("/host/ping", ["GET", "POST"], () => Results.Ok());
        admin.MapGet("/host/status", StatusAsync);
        admin.MapPost("/functions/{name}", RunAsync);
    }

    private static async Task StatusAsync(HttpContext context, KeyCheck keys, WorkerHost worker, HostAddresses addresses, IOptions<DevHostOptions> options)
    {
        if (!keys.IsAuthorized(context, AuthLevel.Admin, null))
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "The host status needs the master key.");
            return;
        }

        var functions = worker.Functions.IsCompletedSuccessfully ? worker.Functions.Result : [];
        var status = new JsonObject
        {
            ["id"] = options.Value.HostId,
            ["state"] = worker.State,
            ["version"] = WorkerHost.HostVersion,
            ["host"] = "Recsys.DevHost",
            ["url"] = addresses.PublicUri.ToString(),
            ["processUptime"] = (long)(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds,
            ["worker"] = new JsonObject
            {
                ["processId"] = worker.Current?.ProcessId,
                ["restarts"] = worker.Restarts,
            },
            ["functions"] = new JsonArray(functions.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.Name,
                ["trigger"] = f.Trigger.ToString(),
                ["route"] = f.Route,
            }).ToArray()),
        };
        await context.Response.WriteAsJsonAsync(status, context.RequestAborted);
    }

    private static async Task RunAsync(
        string name, HttpContext context, KeyCheck keys, WorkerHost worker, FunctionInvoker invoker, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        if (!keys.IsAuthorized(context, AuthLevel.Admin, null))
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Running a function needs the master key.");
            return;
        }

        var function = worker.Functions.IsCompletedSuccessfully
            ? worker.Functions.Result.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            : null;
        if (function is null || function.Trigger is TriggerKind.Http or TriggerKind.Other)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", $"There is no timer, queue or blob function named '{name}'.");
            return;
        }

        string? input = null;
        if (context.Request.ContentLength is null or > 0)
        {
            try
            {
                input = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))?["input"]?.ToString();
            }
            catch (System.Text.Json.JsonException e)
            {
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid body", $"Expected {{\"input\": \"...\"}}: {e.Message}");
                return;
            }
        }

        var request = FunctionInvoker.NewRequest(function);
        switch (function.Trigger)
        {
            case TriggerKind.Timer:
                request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = FunctionInvoker.Json("{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":null,\"IsPastDue\":false}") });
                break;
            case TriggerKind.Queue:
                request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = FunctionInvoker.Text(input ?? string.Empty) });
                request.TriggerMetadata["DequeueCount"] = FunctionInvoker.Json("1");
                request.TriggerMetadata["Id"] = FunctionInvoker.Text(Guid.NewGuid().ToString());
                break;
            case TriggerKind.Blob:
                var slash = input?.IndexOf('/', StringComparison.Ordinal) ?? -1;
                if (slash <= 0)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid input", "A blob function takes the blob path as input: {\"input\": \"container/blob\"}.");
                    return;
                }

                request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = BlobTriggerListener.BlobBinding(function.Connection, input![..slash], input[(slash + 1)..]) });
                request.TriggerMetadata["name"] = FunctionInvoker.Text(input[(slash + 1)..]);
                break;
        }

        // As the host does, answer 202 at once and run the function in the background.
        var logger = loggers.CreateLogger(typeof(AdminEndpoints).FullName!);
        _ = Task.Run(async () =>
        {
            try
            {
                await invoker.InvokeAsync(function, request, lifetime.ApplicationStopping);
            }
            catch (Exception e)
            {
                Log.ManualRunFailed(logger, function.Name, e.Message);
            }
        });
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
