using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.Errors;
using Recsys.Functions.Hosting;

namespace Recsys.Functions.LocalHost;

/// <summary>
/// The host's admin endpoints that matter for local work (master key): <c>GET /admin/host/status</c> and
/// <c>POST /admin/functions/{name}</c> with <c>{"input": "..."}</c> to run a queue or timer function now.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapLocalAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").ExcludeFromDescription();
        admin.MapGet("/host/status", (FunctionApp app) => TypedResults.Ok(new
        {
            state = "Running",
            mode = "local",
            functions = app.Functions.Select(f => new { name = f.Name, trigger = f.Trigger.ToString(), route = f.Route }),
        }));
        admin.MapPost("/functions/{name}", RunAsync);
    }

    private static async Task<Accepted<JsonObject>> RunAsync(
        string name, JsonObject? body, FunctionApp app, FunctionInvoker invoker, CancellationToken cancellationToken)
    {
        var function = app.Find(name);
        if (function is null || function.Trigger == TriggerKind.Http)
        {
            throw new ResourceNotFoundException("non-HTTP function", name);
        }

        var input = body?["input"];
        JsonNode? value = function.Trigger == TriggerKind.Timer
            ? new JsonObject { ["Schedule"] = new JsonObject { ["AdjustForDST"] = true }, ["ScheduleStatus"] = null, ["IsPastDue"] = false }
            : input?.DeepClone();
        var outcome = await invoker.InvokeAsync(function.Name, new JsonObject { [function.BindingName] = value }, [], cancellationToken);
        return TypedResults.Accepted((string?)null, new JsonObject { ["succeeded"] = outcome.Succeeded, ["status"] = outcome.StatusCode });
    }
}
