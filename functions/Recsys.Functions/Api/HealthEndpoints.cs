using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Storage;

namespace Recsys.Functions.Api;

/// <summary><c>GET /api/health</c>: anonymous liveness and storage reachability.</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/health", CheckAsync).WithTags("Health").WithName("Health");
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> CheckAsync(
        StorageClients storage, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await storage.Table(StorageNames.DatasetGroupsTable).QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1, cancellationToken: timeout.Token)
                .AsPages(pageSizeHint: 1).GetAsyncEnumerator(timeout.Token).MoveNextAsync();
            return TypedResults.Ok(new HealthReport("Healthy", "reachable"));
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
        {
            return TypedResults.Json(new HealthReport("Unhealthy", e.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

/// <summary>Health answer.</summary>
internal sealed record HealthReport(string Status, string Storage);
