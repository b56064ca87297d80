using Recsys.Core.Errors;
using Recsys.Core.Filters;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;

namespace Recsys.Core.BatchJobs;

/// <summary>Manage-API use cases for batch inference and segment jobs: create (queued), describe, list.</summary>
/// <param name="jobs">Job records (one scope per kind).</param>
/// <param name="solutions">Solution versions.</param>
/// <param name="filters">Filters.</param>
/// <param name="files">Blob access.</param>
/// <param name="queue">The batch-jobs queue.</param>
/// <param name="time">Clock.</param>
public sealed class BatchJobService(
    IResourceStore<BatchJob> jobs,
    SolutionService solutions,
    FilterService filters,
    IBatchJobFiles files,
    IJobScheduler queue,
    TimeProvider time)
{
    /// <summary>Largest <c>numResults</c> of inference jobs.</summary>
    public const int MaxInferenceResults = 500;

    /// <summary>Largest <c>numResults</c> of segment jobs (users per segment).</summary>
    public const int MaxSegmentResults = 5_000_000;

    /// <summary>The table scope of a kind.</summary>
    public static string Scope(BatchJobKind kind) => kind == BatchJobKind.Inference ? BatchJobMessage.Inference : BatchJobMessage.Segment;

    /// <summary>
    /// Normalizes a job path to <c>container/blob</c>: accepts <c>s3://container/blob</c>, <c>container/blob</c>
    /// and <c>/container/blob</c>; null when there is no container and blob.
    /// </summary>
    public static string? NormalizePath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var p = path.Trim();
        if (p.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            p = p[5..];
        }

        p = p.TrimStart('/');
        var slash = p.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || (slash == p.Length - 1 && !path.EndsWith('/')) ? null : p;
    }

    /// <summary>Creates a job, checks its solution version, filter and input, and queues it.</summary>
    public async Task<Stored<BatchJob>> CreateAsync(
        BatchJobKind kind, string? jobName, string? solutionVersionArn, string? filterArn, int? numResults, string? inputPath, string? outputPath,
        CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(jobName) is { } nameProblem)
        {
            errors["jobName"] = [nameProblem];
        }

        var max = kind == BatchJobKind.Inference ? MaxInferenceResults : MaxSegmentResults;
        if (numResults is { } n && (n < 1 || n > max))
        {
            errors["numResults"] = [$"numResults must be between 1 and {max}."];
        }

        var input = NormalizePath(inputPath);
        if (input is null || input.EndsWith('/'))
        {
            errors["jobInput.s3DataSource.path"] = ["The input path must name a file: 'container/path/file.json'."];
        }

        var output = NormalizePath(outputPath);
        if (output is null)
        {
            errors["jobOutput.s3DataDestination.path"] = ["The output path must name a container and a folder: 'container/path/'."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException($"The {BatchJob.DisplayName(kind)} request is invalid.", errors);
        }

        var version = (await solutions.DescribeVersionAsync(solutionVersionArn, cancellationToken)).Value;
        if (version.State.Status != ResourceStatus.Active)
        {
            throw new InvalidInputException("solutionVersionArn", $"The solution version '{version.Arn}' is {version.State.Status}, not ACTIVE.");
        }

        if (filterArn is not null)
        {
            var filter = (await filters.DescribeAsync(filterArn, cancellationToken)).Value;
            if (filter.DatasetGroup != version.DatasetGroup)
            {
                throw new InvalidInputException("filterArn", $"The filter '{filter.Name}' belongs to the dataset group '{filter.DatasetGroup}', not '{version.DatasetGroup}'.");
            }

            var wanted = kind == BatchJobKind.Inference ? FilterTarget.Items : FilterTarget.Users;
            if (filter.Parse().Target != wanted)
            {
                throw new InvalidInputException("filterArn", kind == BatchJobKind.Inference
                    ? $"The filter '{filter.Name}' filters users; a batch inference job takes an ItemID filter."
                    : $"The filter '{filter.Name}' filters items; a batch segment job takes a UserID filter.");
            }
        }

        if (!await files.ExistsAsync(input!, cancellationToken))
        {
            throw new InvalidInputException("jobInput.s3DataSource.path", $"There is no file '{input}'.");
        }

        var job = new BatchJob
        {
            Name = jobName!,
            Kind = kind,
            SolutionVersionArn = version.Arn,
            DatasetGroup = version.DatasetGroup,
            Recipe = version.Recipe,
            FilterArn = filterArn,
            NumResults = numResults ?? 25,
            InputPath = input!,
            OutputPath = output!,
            OutputFile = OutputFile(input!, output!),
            State = ResourceState.New(ResourceStatus.CreatePending, time.GetUtcNow()),
        };
        var created = await jobs.CreateAsync(Scope(kind), job.Name, job, cancellationToken);
        await queue.SendAsync(new BatchJobMessage(Scope(kind), job.Name), cancellationToken: cancellationToken);
        return created;
    }

    /// <summary>Reads a job by name or ARN.</summary>
    public Task<Stored<BatchJob>> DescribeAsync(BatchJobKind kind, string? identifier, CancellationToken cancellationToken = default)
        => jobs.GetAsync(Scope(kind), ResourceArn.Resolve(BatchJob.ResourceTypeOf(kind), identifier, kind == BatchJobKind.Inference ? "batchInferenceJobArn" : "batchSegmentJobArn"),
            BatchJob.DisplayName(kind), cancellationToken);

    /// <summary>Lists jobs of a kind by name.</summary>
    public Task<ResourcePage<BatchJob>> ListAsync(BatchJobKind kind, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
        => jobs.ListAsync(Scope(kind), Paging.PageSize(maxResults), nextToken, cancellationToken);

    /// <summary>Personalize's naming: the output is the input file's name with <c>.out</c>, in the output folder.</summary>
    private static string OutputFile(string input, string output)
    {
        var fileName = input[(input.LastIndexOf('/') + 1)..];
        return output.EndsWith('/') ? output + fileName + ".out" : output + "/" + fileName + ".out";
    }
}
