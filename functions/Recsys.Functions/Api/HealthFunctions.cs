using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Functions.Composition;
using Recsys.Functions.Http;
using Recsys.Storage;

namespace Recsys.Functions.Api;

/// <summary><c>GET /api/health</c>: anonymous liveness and storage reachability, answered within two seconds.</summary>
[OpenApiTag("Health")]
internal sealed class HealthFunctions(StorageClients storage, StorageStartup startup)
{
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(2);

    [Function("Health")]
    public async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> CheckAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_probeTimeout);
        try
        {
            await using var page = storage.Table(StorageNames.DatasetGroupsTable).QueryAsync<TableEntity>(maxPerPage: 1, cancellationToken: timeout.Token)
                .AsPages(pageSizeHint: 1).GetAsyncEnumerator(timeout.Token);
            await page.MoveNextAsync();
            return TypedResults.Ok(new HealthReport("Healthy", "reachable"));
        }
        catch (Exception e) when (Problems.IsStorageOutage(e) || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? $"unreachable (no answer within {s_probeTimeout.TotalSeconds:0} s)" : "unreachable: " + e.Message;
            return Unhealthy(request, reason);
        }
        catch (Exception e) when (Problems.IsStorageResourceMissing(e))
        {
            startup.Reprovision(e.Message);
            return Unhealthy(request, "reachable, but the service's tables are missing (storage was reset?): creating them again");
        }
    }

    private static JsonHttpResult<HealthReport> Unhealthy(HttpRequest request, string reason)
    {
        request.HttpContext.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Json(new HealthReport("Unhealthy", reason), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>Health answer.</summary>
internal sealed record HealthReport(string Status, string Storage);
