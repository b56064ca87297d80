using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Recsys.Core.Errors;

namespace Recsys.Functions.Api;

/// <summary>
/// The one place where failures become <c>application/problem+json</c>: Recsys exceptions by what the caller can do,
/// malformed requests, and the host-level answers (no such route, missing key, body too large).
/// </summary>
internal sealed class Problems(IProblemDetailsService problemDetails, ILogger<Problems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (exception is StorageUnavailableException unavailable)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (problem.Status >= 500)
        {
            Log.UnhandledFailure(logger, httpContext.Request.Path, exception);
        }

        return await WriteAsync(problemDetails, httpContext, problem);
    }

    /// <summary>Writes <paramref name="problem"/> as the response.</summary>
    public static async ValueTask<bool> WriteAsync(IProblemDetailsService service, HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? 500;
        return await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>A problem with a title, status and detail.</summary>
    public static ProblemDetails Create(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = $"https://httpstatuses.io/{status}",
    };

    /// <summary>Maps an exception to its problem.</summary>
    public static ProblemDetails ToProblem(Exception exception)
    {
        switch (exception)
        {
            case InvalidInputException invalid:
                var problem = Create(StatusCodes.Status400BadRequest, "Invalid request", invalid.Message);
                problem.Extensions["errors"] = invalid.Errors;
                return problem;
            case ResourceNotFoundException:
                return Create(StatusCodes.Status404NotFound, "Resource not found", exception.Message);
            case ResourceAlreadyExistsException:
                return Create(StatusCodes.Status409Conflict, "Resource already exists", exception.Message);
            case ResourceInUseException:
                return Create(StatusCodes.Status409Conflict, "Resource in use", exception.Message);
            case PreconditionFailedException:
                return Create(StatusCodes.Status412PreconditionFailed, "Precondition failed", exception.Message);
            case LimitExceededException:
                return Create(StatusCodes.Status400BadRequest, "Limit exceeded", exception.Message);
            case BadHttpRequestException bad:
                return BadRequest(bad);
            case JsonException json:
                return InvalidJson(json.Message);
            case StorageUnavailableException:
                return Create(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", exception.Message);
            case OperationCanceledException:
                return Create(499, "Request cancelled", "The client closed the request.");
            default:
                return Create(StatusCodes.Status500InternalServerError, "Internal error", "The service failed to handle the request; it has been logged.");
        }
    }

    private static ProblemDetails BadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", bad.Message);
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Create(bad.StatusCode, "Unsupported media type", "Send the body as application/json.");
        }

        // Minimal APIs wrap JSON errors; the inner exception names the position.
        return bad.InnerException is JsonException json
            ? InvalidJson(json.Message)
            : Create(bad.StatusCode, "Bad request", bad.Message);
    }

    private static ProblemDetails InvalidJson(string message)
    {
        var problem = Create(StatusCodes.Status400BadRequest, "Invalid request", "The request body is not valid JSON for this operation.");
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [message] };
        return problem;
    }
}
