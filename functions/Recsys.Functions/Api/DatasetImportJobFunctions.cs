using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for dataset import jobs: <c>/api/manage/dataset-import-jobs</c>.</summary>
[OpenApiTag("Dataset import jobs")]
internal sealed class DatasetImportJobFunctions(DatasetImportService service, JobRunner runner, TimeProvider time)
{
    [Function("CreateDatasetImportJob")]
    [OpenApiBody(typeof(CreateDatasetImportJobRequest))]
    public async Task<Created<CreateDatasetImportJobResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/dataset-import-jobs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateDatasetImportJobRequest>(cancellationToken);
        var created = await service.CreateAsync(
            body.JobName, body.DatasetArn, body.DataSource?.DataLocation, body.ImportMode, body.ColumnMapping, body.AllowShrink, body.MaxRejectedPercent, cancellationToken);
        return TypedResults.Created($"/api/manage/dataset-import-jobs/{created.Value.Name}", new CreateDatasetImportJobResponse(created.Value.Arn));
    }

    [Function("ListDatasetImportJobs")]
    [OpenApiQuery("datasetArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListDatasetImportJobsResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/dataset-import-jobs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryString("datasetArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListDatasetImportJobsResponse([.. page.Items.Select(j => DatasetImportJobView.From(j, runner, time.GetUtcNow()))], page.NextToken));
    }

    /// <summary>DescribeDatasetImportJob, and <c>…/{job}/errors</c>: the rejected rows as CSV.</summary>
    [Function("DescribeDatasetImportJob")]
    [OpenApiSuffixOperation("GetDatasetImportJobErrors", "errors", typeof(ContentHttpResult))]
    public async Task<Results<Ok<DescribeDatasetImportJobResponse>, ContentHttpResult>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/dataset-import-jobs/{*job}")] HttpRequest request, string? job, CancellationToken cancellationToken)
    {
        if (RouteIdentifier.TrySplitSuffix(job, "errors", IsJobIdentifier, out var name))
        {
            return TypedResults.Text(await service.ErrorReportAsync(name, cancellationToken), "text/csv");
        }

        return TypedResults.Ok(new DescribeDatasetImportJobResponse(DatasetImportJobView.From((await service.DescribeAsync(name, cancellationToken)).Value, runner, time.GetUtcNow())));
    }

    private static bool IsJobIdentifier(string value) => value.StartsWith("arn:", StringComparison.Ordinal) || !value.Contains('/', StringComparison.Ordinal);
}

internal sealed record DataSource(string? DataLocation);

internal sealed record CreateDatasetImportJobRequest(
    string? JobName, string? DatasetArn, DataSource? DataSource, string? ImportMode, Dictionary<string, string>? ColumnMapping, bool? AllowShrink, double? MaxRejectedPercent);

internal sealed record CreateDatasetImportJobResponse(string DatasetImportJobArn);

internal sealed record DescribeDatasetImportJobResponse(DatasetImportJobView DatasetImportJob);

internal sealed record ListDatasetImportJobsResponse(IReadOnlyList<DatasetImportJobView> DatasetImportJobs, string? NextToken);

/// <summary>
/// An import job with Personalize's field names, Recsys's counts and safeguards, and <c>stale</c> when it is IN_PROGRESS
/// but its heartbeat stopped (the delivery running it died; a redelivery takes it over, or the watchdog fails it).
/// </summary>
internal sealed record DatasetImportJobView(
    string JobName, string DatasetImportJobArn, string? DatasetArn, DataSource DataSource, string ImportMode, string Source, string Status,
    string? FailureReason, long RowsRead, long RowsImported, long RowsRejected, string? ErrorReportLocation,
    DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime,
    bool AllowShrink, double? MaxRejectedPercent, string? SafeguardFired, long? PreviousRows, string? DuplicateOf, string? ContentSha256, bool? Stale)
{
    public static DatasetImportJobView From(DatasetImportJob job, JobRunner runner, DateTimeOffset now) => new(
        job.Name, job.Arn,
        job.DatasetType is { } type ? ResourceArn.For(Dataset.ResourceType, job.DatasetGroup + "/" + Dataset.TypeKey(type)) : null,
        new DataSource(ImportPaths.Container + "/" + job.DataLocation), job.ImportMode.ToString().ToUpperInvariant(), job.Source,
        job.State.Status, job.State.FailureReason, job.RowsRead, job.RowsImported, job.RowsRejected, job.ErrorReportLocation,
        job.State.CreationDateTime, job.State.LastUpdatedDateTime,
        job.AllowShrink, job.MaxRejectedPercent, job.SafeguardFired, job.PreviousRows, job.DuplicateOf, job.ContentSha256,
        runner.IsStale(job.State, now) ? true : null);
}
