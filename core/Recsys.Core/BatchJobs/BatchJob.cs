using Recsys.Core.Resources;

namespace Recsys.Core.BatchJobs;

/// <summary>The two kinds of batch job.</summary>
public enum BatchJobKind
{
    /// <summary>Batch inference: items for users, related items, personalized ranking.</summary>
    Inference,

    /// <summary>Batch segment: users for an item or an item attribute.</summary>
    Segment,
}

/// <summary>
/// A batch inference job or batch segment job (Personalize's BatchInferenceJob / BatchSegmentJob): a JSON-lines file
/// in Blob Storage answered line by line with one solution version, into another JSON-lines file.
/// </summary>
public sealed record BatchJob : IResource
{
    /// <summary>Resource type of batch inference jobs, used in ARNs.</summary>
    public const string InferenceResourceType = "batch-inference-job";

    /// <summary>Resource type of batch segment jobs, used in ARNs.</summary>
    public const string SegmentResourceType = "batch-segment-job";

    /// <summary>Job name.</summary>
    public required string Name { get; init; }

    /// <summary>Inference or segment.</summary>
    public required BatchJobKind Kind { get; init; }

    /// <summary>The solution version ARN the job uses.</summary>
    public required string SolutionVersionArn { get; init; }

    /// <summary>The version's dataset group.</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>The version's recipe.</summary>
    public required string Recipe { get; init; }

    /// <summary>Filter applied to every line (inference jobs), if any.</summary>
    public string? FilterArn { get; init; }

    /// <summary>Items (or users, for segments) per line.</summary>
    public int NumResults { get; init; } = 25;

    /// <summary>The input file: <c>container/blob</c>.</summary>
    public required string InputPath { get; init; }

    /// <summary>The output location as given: <c>container/prefix/</c>; the file is <see cref="OutputFile"/>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>The output file: <c>container/blob</c>.</summary>
    public required string OutputFile { get; init; }

    /// <summary>Lifecycle state.</summary>
    public required ResourceState State { get; init; }

    /// <summary>Input lines read so far.</summary>
    public long LinesRead { get; init; }

    /// <summary>Lines answered without error.</summary>
    public long LinesSucceeded { get; init; }

    /// <summary>Lines answered with an error (malformed JSON, bad fields).</summary>
    public long LinesFailed { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceTypeOf(Kind), Name);

    /// <summary>The resource type name of a kind.</summary>
    public static string ResourceTypeOf(BatchJobKind kind) => kind == BatchJobKind.Inference ? InferenceResourceType : SegmentResourceType;

    /// <summary>The human name of a kind ("batch inference job").</summary>
    public static string DisplayName(BatchJobKind kind) => kind == BatchJobKind.Inference ? "batch inference job" : "batch segment job";
}

/// <summary>Blob access for batch jobs; paths are <c>container/blob</c>.</summary>
public interface IBatchJobFiles
{
    /// <summary>Whether the file exists.</summary>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Streams the file.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Creates (or replaces) the file; what is written is streamed, and the file is complete when the stream is disposed.</summary>
    Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken = default);
}
