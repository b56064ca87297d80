using Recsys.Functions.Hosting;

namespace Recsys.Functions.Invocation;

/// <summary>
/// Maps <c>POST /{FunctionName}</c> for every non-HTTP function declared in a function.json: the endpoint the
/// Functions host (or the local host) calls with <c>{Data, Metadata}</c>. A declared function without a handler,
/// or a handler without a declaration, stops the app at start-up: the two must not drift apart.
/// </summary>
internal static class InvocationEndpoints
{
    public static void MapInvocationEndpoints(this IEndpointRouteBuilder endpoints, FunctionApp app, IEnumerable<IInvocationHandler> handlers)
    {
        var byName = handlers.ToDictionary(h => h.FunctionName, StringComparer.OrdinalIgnoreCase);
        foreach (var function in app.Functions.Where(f => f.Trigger != TriggerKind.Http))
        {
            if (!byName.Remove(function.Name, out var handler))
            {
                throw new InvalidOperationException($"{function.Name}/function.json declares a function that the handler does not implement.");
            }

            endpoints.MapPost("/" + function.Name, (HttpContext http, CancellationToken cancellationToken) => InvokeAsync(handler, http, cancellationToken))
                .ExcludeFromDescription();
        }

        if (byName.Count > 0)
        {
            throw new InvalidOperationException($"No function.json declares {string.Join(", ", byName.Keys)}.");
        }
    }

    private static async Task<IResult> InvokeAsync(IInvocationHandler handler, HttpContext http, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var context = InvocationContext.Parse(handler.FunctionName, http.Request.Headers["X-Azure-Functions-InvocationId"], body);
        var returnValue = await handler.InvokeAsync(context, cancellationToken);
        return TypedResults.Json(new InvocationResult { Logs = context.Logs, ReturnValue = returnValue });
    }
}
