using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.DataLifecycle;
using Recsys.Core.Resources;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for dataset export jobs and data deletion jobs.</summary>
[OpenApiTag("Data lifecycle")]
internal sealed class DataLifecycleFunctions(DataJobService service)
{
    [Function("CreateDatasetExportJob")]
    [OpenApiBody(typeof(CreateDatasetExportJobRequest))]
    public async Task<Created<JsonObject>> CreateExportAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/dataset-export-jobs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateDatasetExportJobRequest>(cancellationToken);
        var job = (await service.CreateExportAsync(body.JobName, body.DatasetArn, body.IngestionMode, body.JobOutput?.S3DataDestination?.Path, cancellationToken)).Value;
        return TypedResults.Created("/api/manage/dataset-export-jobs/" + job.Name, new JsonObject { ["datasetExportJobArn"] = job.Arn });
    }

    [Function("ListDatasetExportJobs")]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<JsonObject>> ListExportsAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/dataset-export-jobs")] HttpRequest request, CancellationToken cancellationToken)
        => Page("datasetExportJobs", await service.ListExportsAsync(request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken), View);

    [Function("DescribeDatasetExportJob")]
    public async Task<Ok<JsonObject>> DescribeExportAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/dataset-export-jobs/{*job}")] HttpRequest request, string? job, CancellationToken cancellationToken)
        => TypedResults.Ok(new JsonObject { ["datasetExportJob"] = View((await service.DescribeExportAsync(RouteIdentifier.Decode(job), cancellationToken)).Value) });

    [Function("CreateDataDeletionJob")]
    [OpenApiBody(typeof(CreateDataDeletionJobRequest))]
    public async Task<Created<JsonObject>> CreateDeletionAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/data-deletion-jobs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateDataDeletionJobRequest>(cancellationToken);
        var job = (await service.CreateDeletionAsync(body.JobName, body.DatasetGroupArn, body.DataSource?.DataLocation, cancellationToken)).Value;
        return TypedResults.Created("/api/manage/data-deletion-jobs/" + job.Name, new JsonObject { ["dataDeletionJobArn"] = job.Arn });
    }

    [Function("ListDataDeletionJobs")]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<JsonObject>> ListDeletionsAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/data-deletion-jobs")] HttpRequest request, CancellationToken cancellationToken)
        => Page("dataDeletionJobs", await service.ListDeletionsAsync(request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken), View);

    [Function("DescribeDataDeletionJob")]
    public async Task<Ok<JsonObject>> DescribeDeletionAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/data-deletion-jobs/{*job}")] HttpRequest request, string? job, CancellationToken cancellationToken)
        => TypedResults.Ok(new JsonObject { ["dataDeletionJob"] = View((await service.DescribeDeletionAsync(RouteIdentifier.Decode(job), cancellationToken)).Value) });

    private static Ok<JsonObject> Page<T>(string key, ResourcePage<T> page, Func<T, JsonObject> view)
        => TypedResults.Ok(new JsonObject { [key] = new JsonArray([.. page.Items.Select(j => (JsonNode?)view(j))]), ["nextToken"] = page.NextToken });

    /// <summary>Personalize's shape of an export job, with our row count and file name.</summary>
    private static JsonObject View(DatasetExportJob job) => new()
    {
        ["jobName"] = job.Name,
        ["datasetExportJobArn"] = job.Arn,
        ["datasetArn"] = job.DatasetArn,
        ["ingestionMode"] = job.IngestionMode.ToString().ToUpperInvariant(),
        ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = job.OutputPath } },
        ["outputFile"] = job.OutputFile,
        ["status"] = job.State.Status,
        ["failureReason"] = job.State.FailureReason,
        ["rowsExported"] = job.RowsExported,
        ["creationDateTime"] = job.State.CreationDateTime,
        ["lastUpdatedDateTime"] = job.State.LastUpdatedDateTime,
    };

    /// <summary>Personalize's shape of a deletion job (its status names), with what was removed.</summary>
    private static JsonObject View(DataDeletionJob job) => new()
    {
        ["jobName"] = job.Name,
        ["dataDeletionJobArn"] = job.Arn,
        ["datasetGroupArn"] = ResourceArn.For(Core.DatasetGroups.DatasetGroup.ResourceType, job.DatasetGroup),
        ["dataSource"] = new JsonObject { ["dataLocation"] = job.DataLocation },
        ["status"] = DataDeletionJob.PublicStatus(job.State.Status),
        ["failureReason"] = job.State.FailureReason,
        ["numDeleted"] = job.NumDeleted,
        ["rowsRejected"] = job.RowsRejected,
        ["errorReportLocation"] = job.ErrorReportLocation,
        ["deletedAt"] = job.DeletedAt,
        ["eventsDeleted"] = job.EventsDeleted,
        ["recordsDeleted"] = job.RecordsDeleted,
        ["segmentRowsRemoved"] = job.SegmentRowsRemoved,
        ["creationDateTime"] = job.State.CreationDateTime,
        ["lastUpdatedDateTime"] = job.State.LastUpdatedDateTime,
    };
}

internal sealed record DataDeletionSource(string? DataLocation);

internal sealed record CreateDatasetExportJobRequest(string? JobName, string? DatasetArn, string? IngestionMode, BatchJobOutput? JobOutput);

internal sealed record CreateDataDeletionJobRequest(string? JobName, string? DatasetGroupArn, DataDeletionSource? DataSource);
