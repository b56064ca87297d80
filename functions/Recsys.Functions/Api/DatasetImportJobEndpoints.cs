using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Resources;

namespace Recsys.Functions.Api;

/// <summary>Manage API for dataset import jobs: <c>/api/manage/dataset-import-jobs</c>.</summary>
internal static class DatasetImportJobEndpoints
{
    public static RouteGroupBuilder MapDatasetImportJobEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/dataset-import-jobs").WithTags("Dataset import jobs");
        group.MapPost("/", CreateAsync).WithName("CreateDatasetImportJob");
        group.MapGet("/", ListAsync).WithName("ListDatasetImportJobs");
        group.MapGet("/{job}", DescribeAsync).WithName("DescribeDatasetImportJob");
        group.MapGet("/{job}/errors", ErrorsAsync).WithName("GetDatasetImportJobErrors");
        return group;
    }

    private static async Task<Created<CreateDatasetImportJobResponse>> CreateAsync(CreateDatasetImportJobRequest request, DatasetImportService service, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(
            request.JobName, request.DatasetArn, request.DataSource?.DataLocation, request.ImportMode, request.ColumnMapping, request.AllowShrink, request.MaxRejectedPercent, cancellationToken);
        return TypedResults.Created($"/api/manage/dataset-import-jobs/{created.Value.Name}", new CreateDatasetImportJobResponse(created.Value.Arn));
    }

    private static async Task<Ok<DescribeDatasetImportJobResponse>> DescribeAsync(string job, DatasetImportService service, CancellationToken cancellationToken)
        => TypedResults.Ok(new DescribeDatasetImportJobResponse(DatasetImportJobView.From((await service.DescribeAsync(Uri.UnescapeDataString(job), cancellationToken)).Value)));

    private static async Task<Ok<ListDatasetImportJobsResponse>> ListAsync(DatasetImportService service, string? datasetArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(datasetArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListDatasetImportJobsResponse(page.Items.Select(DatasetImportJobView.From).ToArray(), page.NextToken));
    }

    private static async Task<ContentHttpResult> ErrorsAsync(string job, DatasetImportService service, CancellationToken cancellationToken)
        => TypedResults.Text(await service.ErrorReportAsync(Uri.UnescapeDataString(job), cancellationToken), "text/csv");
}

internal sealed record DataSource(string? DataLocation);

internal sealed record CreateDatasetImportJobRequest(
    string? JobName, string? DatasetArn, DataSource? DataSource, string? ImportMode, Dictionary<string, string>? ColumnMapping, bool? AllowShrink, double? MaxRejectedPercent);

internal sealed record CreateDatasetImportJobResponse(string DatasetImportJobArn);

internal sealed record DescribeDatasetImportJobResponse(DatasetImportJobView DatasetImportJob);

internal sealed record ListDatasetImportJobsResponse(IReadOnlyList<DatasetImportJobView> DatasetImportJobs, string? NextToken);

internal sealed record DatasetImportJobView(
    string JobName, string DatasetImportJobArn, string? DatasetArn, DataSource DataSource, string ImportMode, string Source, string Status,
    string? FailureReason, long RowsRead, long RowsImported, long RowsRejected, string? ErrorReportLocation,
    DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime,
    bool AllowShrink, double? MaxRejectedPercent, string? SafeguardFired, long? PreviousRows, string? DuplicateOf, string? ContentSha256)
{
    public static DatasetImportJobView From(DatasetImportJob job) => new(
        job.Name, job.Arn,
        job.DatasetType is { } type ? ResourceArn.For(Dataset.ResourceType, job.DatasetGroup + "/" + Dataset.TypeKey(type)) : null,
        new DataSource(ImportPaths.Container + "/" + job.DataLocation), job.ImportMode.ToString().ToUpperInvariant(), job.Source,
        job.State.Status, job.State.FailureReason, job.RowsRead, job.RowsImported, job.RowsRejected, job.ErrorReportLocation,
        job.State.CreationDateTime, job.State.LastUpdatedDateTime,
        job.AllowShrink, job.MaxRejectedPercent, job.SafeguardFired, job.PreviousRows, job.DuplicateOf, job.ContentSha256);
}
