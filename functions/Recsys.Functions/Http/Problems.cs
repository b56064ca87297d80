using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Recsys.Core.Errors;
using Recsys.Storage;

namespace Recsys.Functions.Http;

/// <summary>
/// The one place where failures become <c>application/problem+json</c>: Recsys exceptions by what the caller can do,
/// malformed requests, storage outages (503 with <c>Retry-After</c>). Every problem also carries Personalize's
/// <c>x-amzn-ErrorType</c> header and a <c>message</c> member, which AWS SDK clients read to raise typed exceptions,
/// on the manage, runtime and events APIs alike.
/// </summary>
internal static class Problems
{
    /// <summary>Seconds a client should wait before retrying after a storage outage.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>A problem with a title, status and detail.</summary>
    public static ProblemDetails Create(int status, string title, string detail)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        problem.Extensions["message"] = detail;
        return problem;
    }

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
            case OperationCanceledException:
                return Create(499, "Request cancelled", "The client closed the request.");
            case var e when IsStorageOutage(e):
                return Create(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                    $"The service's storage cannot be reached right now; retry in {RetryAfterSeconds} seconds.");
            case var e when IsStorageResourceMissing(e):
                return Create(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                    $"A container, queue or table of the service is missing from its storage (was the storage account reset?); it is being created again: retry in {RetryAfterSeconds} seconds.");
            default:
                return Create(StatusCodes.Status500InternalServerError, "Internal error", "The service failed to handle the request; it has been logged.");
        }
    }

    /// <summary>Personalize's error type for a problem's status and cause (the <c>x-amzn-ErrorType</c> header).</summary>
    public static string ErrorType(Exception? exception, int status) => exception switch
    {
        ResourceNotFoundException => "ResourceNotFoundException",
        ResourceAlreadyExistsException => "ResourceAlreadyExistsException",
        ResourceInUseException or PreconditionFailedException => "ResourceInUseException",
        LimitExceededException => "LimitExceededException",
        _ => status switch
        {
            StatusCodes.Status404NotFound => "ResourceNotFoundException",
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "AccessDeniedException",
            StatusCodes.Status503ServiceUnavailable => "ServiceUnavailableException",
            >= 500 => "InternalFailure",
            _ => "InvalidInputException",
        },
    };

    /// <summary>
    /// Whether <paramref name="exception"/> says the storage account could not be reached (worth a retry): the storage
    /// edge's own rule (<see cref="StorageFaults.IsTransient"/>), here or in an inner exception. A cancellation is the
    /// caller's to judge (a closed request, or an SDK timeout nobody asked for).
    /// </summary>
    public static bool IsStorageOutage(Exception exception) => exception switch
    {
        StorageUnavailableException => true,
        OperationCanceledException => false,
        _ when StorageFaults.IsTransient(exception, CancellationToken.None) => true,
        _ => exception.InnerException is { } inner && IsStorageOutage(inner),
    };

    /// <summary>
    /// Whether <paramref name="exception"/> says a container, queue or table is missing: the service creates its own
    /// at start, so storage was reset under it (Azurite restarted in memory, say). Not retried as a request; the
    /// resources are created again (<see cref="Composition.StorageStartup.Reprovision"/>).
    /// </summary>
    public static bool IsStorageResourceMissing(Exception exception) => exception switch
    {
        RequestFailedException { Status: 404, ErrorCode: "TableNotFound" or "ContainerNotFound" or "QueueNotFound" } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsStorageResourceMissing),
        _ => exception.InnerException is { } inner && IsStorageResourceMissing(inner),
    };

    private static ProblemDetails BadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", bad.Message);
        }

        return bad.InnerException is JsonException json
            ? InvalidJson(json.Message)
            : Create(bad.StatusCode, "Bad request", bad.Message);
    }

    private static ProblemDetails InvalidJson(string message)
    {
        var problem = Create(StatusCodes.Status400BadRequest, "Invalid request", "The request body is not valid JSON for this operation: " + message);
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [message] };
        return problem;
    }
}
