using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.BatchJobs;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for batch inference jobs and batch segment jobs.</summary>
[OpenApiTag("Batch jobs")]
internal sealed class BatchJobFunctions(BatchJobService service)
{
    [Function("CreateBatchInferenceJob")]
    [OpenApiBody(typeof(CreateBatchJobRequest))]
    public Task<Created<JsonObject>> CreateInferenceAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/batch-inference-jobs")] HttpRequest request, CancellationToken cancellationToken)
        => CreateAsync(BatchJobKind.Inference, request, cancellationToken);

    [Function("ListBatchInferenceJobs")]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public Task<Ok<JsonObject>> ListInferenceAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/batch-inference-jobs")] HttpRequest request, CancellationToken cancellationToken)
        => ListAsync(BatchJobKind.Inference, request, cancellationToken);

    [Function("DescribeBatchInferenceJob")]
    public Task<Ok<JsonObject>> DescribeInferenceAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/batch-inference-jobs/{*job}")] HttpRequest request, string? job, CancellationToken cancellationToken)
        => DescribeAsync(BatchJobKind.Inference, job, cancellationToken);

    [Function("CreateBatchSegmentJob")]
    [OpenApiBody(typeof(CreateBatchJobRequest))]
    public Task<Created<JsonObject>> CreateSegmentAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/batch-segment-jobs")] HttpRequest request, CancellationToken cancellationToken)
        => CreateAsync(BatchJobKind.Segment, request, cancellationToken);

    [Function("ListBatchSegmentJobs")]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public Task<Ok<JsonObject>> ListSegmentAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/batch-segment-jobs")] HttpRequest request, CancellationToken cancellationToken)
        => ListAsync(BatchJobKind.Segment, request, cancellationToken);

    [Function("DescribeBatchSegmentJob")]
    public Task<Ok<JsonObject>> DescribeSegmentAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/batch-segment-jobs/{*job}")] HttpRequest request, string? job, CancellationToken cancellationToken)
        => DescribeAsync(BatchJobKind.Segment, job, cancellationToken);

    private static string Key(BatchJobKind kind) => kind == BatchJobKind.Inference ? "batchInferenceJob" : "batchSegmentJob";

    private async Task<Created<JsonObject>> CreateAsync(BatchJobKind kind, HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateBatchJobRequest>(cancellationToken);
        var created = (await service.CreateAsync(
            kind, body.JobName, body.SolutionVersionArn, body.FilterArn, body.NumResults,
            body.JobInput?.S3DataSource?.Path, body.JobOutput?.S3DataDestination?.Path, cancellationToken)).Value;
        var route = kind == BatchJobKind.Inference ? "batch-inference-jobs" : "batch-segment-jobs";
        return TypedResults.Created($"/api/manage/{route}/{created.Name}", new JsonObject { [Key(kind) + "Arn"] = created.Arn });
    }

    private async Task<Ok<JsonObject>> DescribeAsync(BatchJobKind kind, string? job, CancellationToken cancellationToken)
        => TypedResults.Ok(new JsonObject { [Key(kind)] = View((await service.DescribeAsync(kind, RouteIdentifier.Decode(job), cancellationToken)).Value) });

    private async Task<Ok<JsonObject>> ListAsync(BatchJobKind kind, HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(kind, request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new JsonObject
        {
            [Key(kind) + "s"] = new JsonArray([.. page.Items.Select(j => (JsonNode?)View(j))]),
            ["nextToken"] = page.NextToken,
        });
    }

    /// <summary>Personalize's shape of a job, with our line counts.</summary>
    private static JsonObject View(BatchJob job) => new()
    {
        ["jobName"] = job.Name,
        [Key(job.Kind) + "Arn"] = job.Arn,
        ["solutionVersionArn"] = job.SolutionVersionArn,
        ["filterArn"] = job.FilterArn,
        ["numResults"] = job.NumResults,
        ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = job.InputPath } },
        ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = job.OutputPath } },
        ["outputFile"] = job.OutputFile,
        ["status"] = job.State.Status,
        ["failureReason"] = job.State.FailureReason,
        ["linesRead"] = job.LinesRead,
        ["linesSucceeded"] = job.LinesSucceeded,
        ["linesFailed"] = job.LinesFailed,
        ["creationDateTime"] = job.State.CreationDateTime,
        ["lastUpdatedDateTime"] = job.State.LastUpdatedDateTime,
    };
}

internal sealed record S3DataSource(string? Path);

internal sealed record BatchJobInput(S3DataSource? S3DataSource);

internal sealed record BatchJobOutput(S3DataSource? S3DataDestination);

internal sealed record CreateBatchJobRequest(string? JobName, string? SolutionVersionArn, string? FilterArn, int? NumResults, BatchJobInput? JobInput, BatchJobOutput? JobOutput);
