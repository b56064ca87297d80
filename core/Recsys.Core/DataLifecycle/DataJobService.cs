using Recsys.Core.BatchJobs;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;

namespace Recsys.Core.DataLifecycle;

/// <summary>Manage-API use cases for dataset export jobs and data deletion jobs: create (queued), describe, list.</summary>
/// <param name="exports">Export job records.</param>
/// <param name="deletions">Deletion job records.</param>
/// <param name="groups">Dataset groups.</param>
/// <param name="datasets">Datasets.</param>
/// <param name="files">Blob access.</param>
/// <param name="queue">The jobs queue.</param>
/// <param name="time">Clock.</param>
public sealed class DataJobService(
    IResourceStore<DatasetExportJob> exports,
    IResourceStore<DataDeletionJob> deletions,
    DatasetGroupService groups,
    DatasetService datasets,
    IBatchJobFiles files,
    IJobScheduler queue,
    TimeProvider time)
{
    /// <summary>Queue message kind and table scope of export jobs.</summary>
    public const string ExportKind = BatchJobMessage.Export;

    /// <summary>Queue message kind and table scope of deletion jobs.</summary>
    public const string DeletionKind = BatchJobMessage.Deletion;

    /// <summary>Creates an export job for an existing dataset and queues it.</summary>
    public async Task<Stored<DatasetExportJob>> CreateExportAsync(
        string? jobName, string? datasetArn, string? ingestionMode, string? outputPath, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(jobName) is { } nameProblem)
        {
            errors["jobName"] = [nameProblem];
        }

        IngestionMode mode = IngestionMode.Put;
        if (ingestionMode is not null && !Enum.TryParse(ingestionMode, ignoreCase: true, out mode))
        {
            errors["ingestionMode"] = ["ingestionMode is BULK, PUT or ALL."];
        }

        var output = BatchJobService.NormalizePath(outputPath);
        if (output is null)
        {
            errors["jobOutput.s3DataDestination.path"] = ["The output path must name a container and a folder: 'container/path/'."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The dataset export job request is invalid.", errors);
        }

        var dataset = (await datasets.DescribeAsync(datasetArn, cancellationToken)).Value;
        var job = new DatasetExportJob
        {
            Name = jobName!,
            DatasetGroup = dataset.DatasetGroup,
            DatasetType = dataset.DatasetType,
            IngestionMode = mode,
            OutputPath = output!,
            OutputFile = (output!.EndsWith('/') ? output : output + "/") + jobName + "_" + dataset.Key.ToLowerInvariant() + ".csv",
            State = ResourceState.New(ResourceStatus.CreatePending, time.GetUtcNow()),
        };
        var created = await exports.CreateAsync(ExportKind, job.Name, job, cancellationToken);
        await queue.SendAsync(new BatchJobMessage(ExportKind, job.Name), cancellationToken: cancellationToken);
        return created;
    }

    /// <summary>Creates a deletion job for a dataset group and a CSV of user ids, and queues it.</summary>
    public async Task<Stored<DataDeletionJob>> CreateDeletionAsync(
        string? jobName, string? datasetGroupArn, string? dataLocation, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(jobName) is { } nameProblem)
        {
            errors["jobName"] = [nameProblem];
        }

        var input = BatchJobService.NormalizePath(dataLocation);
        if (input is null || input.EndsWith('/'))
        {
            errors["dataSource.dataLocation"] = ["The data location must name a CSV file with a USER_ID column: 'container/path/users.csv'."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The data deletion job request is invalid.", errors);
        }

        var group = (await groups.DescribeAsync(datasetGroupArn, cancellationToken)).Value;
        if (!await files.ExistsAsync(input!, cancellationToken))
        {
            throw new InvalidInputException("dataSource.dataLocation", $"There is no file '{input}'.");
        }

        var job = new DataDeletionJob
        {
            Name = jobName!,
            DatasetGroup = group.Name,
            DataLocation = input!,
            State = ResourceState.New(ResourceStatus.CreatePending, time.GetUtcNow()),
        };
        var created = await deletions.CreateAsync(DeletionKind, job.Name, job, cancellationToken);
        await queue.SendAsync(new BatchJobMessage(DeletionKind, job.Name), cancellationToken: cancellationToken);
        return created;
    }

    /// <summary>Reads an export job by name or ARN.</summary>
    public Task<Stored<DatasetExportJob>> DescribeExportAsync(string? identifier, CancellationToken cancellationToken = default)
        => exports.GetAsync(ExportKind, ResourceArn.Resolve(DatasetExportJob.ResourceType, identifier, "datasetExportJobArn"), DatasetExportJob.DisplayName, cancellationToken);

    /// <summary>Reads a deletion job by name or ARN.</summary>
    public Task<Stored<DataDeletionJob>> DescribeDeletionAsync(string? identifier, CancellationToken cancellationToken = default)
        => deletions.GetAsync(DeletionKind, ResourceArn.Resolve(DataDeletionJob.ResourceType, identifier, "dataDeletionJobArn"), DataDeletionJob.DisplayName, cancellationToken);

    /// <summary>Lists export jobs by name.</summary>
    public Task<ResourcePage<DatasetExportJob>> ListExportsAsync(int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
        => exports.ListAsync(ExportKind, Paging.PageSize(maxResults), nextToken, cancellationToken);

    /// <summary>Lists deletion jobs by name.</summary>
    public Task<ResourcePage<DataDeletionJob>> ListDeletionsAsync(int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
        => deletions.ListAsync(DeletionKind, Paging.PageSize(maxResults), nextToken, cancellationToken);
}
