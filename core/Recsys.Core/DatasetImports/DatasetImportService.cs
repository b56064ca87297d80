using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;

namespace Recsys.Core.DatasetImports;

/// <summary>Use cases for import jobs through the manage API: create (queued), describe, list, error report.</summary>
public sealed class DatasetImportService(
    IResourceStore<DatasetImportJob> jobs,
    DatasetService datasets,
    IImportFileStore files,
    IJobScheduler queue,
    TimeProvider timeProvider)
{
    private const string Scope = IResourceStore<DatasetImportJob>.GlobalScope;

    /// <summary>
    /// Creates an import job for a file already in the imports container and queues it. The job records the file's
    /// current version, so a later overwrite does not change what this job imports.
    /// </summary>
    /// <param name="jobName">The job's name.</param>
    /// <param name="datasetArn">The dataset (ARN or <c>{group}/{TYPE}</c>).</param>
    /// <param name="dataLocation">The file in the imports container.</param>
    /// <param name="importMode">FULL (default) or INCREMENTAL.</param>
    /// <param name="columnMapping">CSV header → schema field overrides.</param>
    /// <param name="allowShrink">FULL: let the import shrink the dataset by more than half.</param>
    /// <param name="maxRejectedPercent">FULL: the share of rejected rows (0–100) above which the job fails and the data stays; null for the setting.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    public async Task<Stored<DatasetImportJob>> CreateAsync(
        string? jobName, string? datasetArn, string? dataLocation, string? importMode,
        IReadOnlyDictionary<string, string>? columnMapping, bool? allowShrink = null, double? maxRejectedPercent = null,
        CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(jobName) is { } nameProblem)
        {
            errors["jobName"] = [nameProblem];
        }

        ImportMode mode = ImportMode.Full;
        if (importMode is not null && !Enum.TryParse(importMode, ignoreCase: true, out mode))
        {
            errors["importMode"] = ["importMode must be FULL or INCREMENTAL."];
        }

        if (maxRejectedPercent is { } percent && !(percent >= 0 && percent <= 100))
        {
            errors["maxRejectedPercent"] = ["maxRejectedPercent must be between 0 and 100."];
        }

        var location = ImportPaths.NormalizeLocation(dataLocation);
        if (location is null)
        {
            errors["dataSource.dataLocation"] = ["dataLocation must name a file in the imports container, e.g. 'imports/movies/Interactions/ratings.csv'."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The import job request is invalid.", errors);
        }

        var dataset = (await datasets.DescribeAsync(datasetArn, cancellationToken)).Value;
        var file = await files.FindAsync(location!, cancellationToken)
            ?? throw new InvalidInputException("dataSource.dataLocation", $"There is no file '{location}' in the imports container.");

        var job = new DatasetImportJob
        {
            Name = jobName!,
            DatasetGroup = dataset.DatasetGroup,
            DatasetType = dataset.DatasetType,
            DataLocation = file.Name,
            BlobETag = file.ETag,
            ImportMode = mode,
            ColumnMapping = columnMapping,
            AllowShrink = allowShrink ?? false,
            MaxRejectedPercent = maxRejectedPercent,
            Source = "api",
            State = ResourceState.New(ResourceStatus.CreatePending, timeProvider.GetUtcNow()),
        };
        var created = await jobs.CreateAsync(Scope, job.Name, job, cancellationToken);
        await queue.SendAsync(new ImportJobMessage(file.Name, file.ETag, job.Name), cancellationToken: cancellationToken);
        return created;
    }

    /// <summary>Reads a job by name or ARN.</summary>
    public Task<Stored<DatasetImportJob>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
        => jobs.GetAsync(Scope, ResourceArn.Resolve(DatasetImportJob.ResourceType, identifier, "datasetImportJobArn"), "dataset import job", cancellationToken);

    /// <summary>Lists jobs by name, optionally only those of one dataset.</summary>
    public async Task<ResourcePage<DatasetImportJob>> ListAsync(string? datasetArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var size = Paging.PageSize(maxResults);
        if (datasetArn is null)
        {
            return await jobs.ListAsync(Scope, size, nextToken, cancellationToken);
        }

        var (group, type) = DatasetService.ParseIdentifier(datasetArn);
        var matching = new List<DatasetImportJob>();
        var token = nextToken;
        do
        {
            var page = await jobs.ListAsync(Scope, size, token, cancellationToken);
            matching.AddRange(page.Items.Where(j => j.DatasetGroup == group && j.DatasetType == type));
            token = page.NextToken;
        }
        while (token is not null && matching.Count < size);

        return new ResourcePage<DatasetImportJob>(matching, token);
    }

    /// <summary>The CSV report of a job's rejected rows (line, column, reason).</summary>
    public async Task<string> ErrorReportAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var job = (await DescribeAsync(identifier, cancellationToken)).Value;
        return await files.ReadErrorReportAsync(job.Name, cancellationToken)
            ?? throw new ResourceNotFoundException("error report of dataset import job", job.Name);
    }
}
