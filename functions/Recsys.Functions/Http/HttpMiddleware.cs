using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Functions.Composition;

namespace Recsys.Functions.Http;

/// <summary>Worker middleware that only HTTP-triggered invocations pass through.</summary>
internal static class HttpMiddleware
{
    /// <summary>Whether the invocation is of an HTTP-triggered function.</summary>
    public static bool IsHttp(FunctionContext context)
        => context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers the request with <paramref name="problem"/> (and its <c>x-amzn-ErrorType</c>) instead of the function's result.</summary>
    public static void Answer(FunctionContext context, HttpContext http, ProblemDetails problem, Exception? cause = null)
    {
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        http.Response.Headers["x-amzn-ErrorType"] = Problems.ErrorType(cause, status);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.GetInvocationResult().Value = TypedResults.Problem(problem);
    }
}

/// <summary>
/// Turns every exception of an HTTP function into its problem (see <see cref="Problems"/>): the function's own
/// errors, bad JSON, and storage outages (503 with <c>Retry-After</c>). Only unexpected failures are logged as errors.
/// </summary>
internal sealed partial class ProblemDetailsMiddleware(ILogger<ProblemDetailsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { } http)
        {
            var cause = e is AggregateException { InnerExceptions.Count: 1 } single ? single.InnerException! : e;
            var problem = Problems.ToProblem(cause);
            if (Problems.IsStorageResourceMissing(cause))
            {
                context.InstanceServices.GetRequiredService<StorageStartup>().Reprovision(cause.Message);
            }

            if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            {
                StorageUnavailable(logger, context.FunctionDefinition.Name, cause.Message);
            }
            else if (problem.Status >= 500)
            {
                Failed(logger, context.FunctionDefinition.Name, http.Request.Path, cause);
            }

            HttpMiddleware.Answer(context, http, problem, cause);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed on {Path}")]
    private static partial void Failed(ILogger logger, string function, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} answered 503: storage unreachable ({Reason})")]
    private static partial void StorageUnavailable(ILogger logger, string function, string reason);
}

/// <summary>
/// Answers 413 at once when a declared Content-Length is over <see cref="HttpOptions.MaxRequestBodyBytes"/>, and sets
/// the same limit on the server for bodies without a length (Kestrel then fails the read, which becomes a 413 problem).
/// </summary>
internal sealed class RequestBodyLimitMiddleware(IOptions<HttpOptions> options) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            return next(context);
        }

        var max = options.Value.MaxRequestBodyBytes;
        if (http.Request.ContentLength > max)
        {
            HttpMiddleware.Answer(context, http, Problems.Create(
                StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body has {http.Request.ContentLength} bytes; the limit is {max}."));
            return Task.CompletedTask;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        return next(context);
    }
}
