using Recsys.Core.Resources;
using Recsys.Data.Schemas;

namespace Recsys.Core.DatasetImports;

/// <summary>How an import changes a dataset.</summary>
public enum ImportMode
{
    /// <summary>The import replaces the dataset's data, atomically; a failed FULL import leaves the previous data.</summary>
    Full,

    /// <summary>Interactions are appended; items and users are upserted by id.</summary>
    Incremental,
}

/// <summary>
/// A dataset import job (Personalize's DatasetImportJob): one CSV file in the imports container validated and
/// written into a dataset as a columnar segment.
/// </summary>
public sealed record DatasetImportJob : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "dataset-import-job";

    /// <summary>Job name (for dropped files: <c>drop-</c> and a hash of the blob name and ETag).</summary>
    public required string Name { get; init; }

    /// <summary>Dataset group the file is for (empty when a dropped file's path names none).</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>Dataset type the file is for, when known.</summary>
    public DatasetType? DatasetType { get; init; }

    /// <summary>The file: a blob name in the imports container.</summary>
    public required string DataLocation { get; init; }

    /// <summary>The blob version imported (its ETag), once known.</summary>
    public string? BlobETag { get; init; }

    /// <summary>FULL or INCREMENTAL.</summary>
    public ImportMode ImportMode { get; init; } = ImportMode.Full;

    /// <summary>CSV header → schema field overrides for this job.</summary>
    public IReadOnlyDictionary<string, string>? ColumnMapping { get; init; }

    /// <summary>How the job started: <c>api</c> or <c>drop</c>.</summary>
    public string Source { get; init; } = "api";

    /// <summary>Lifecycle state.</summary>
    public required ResourceState State { get; init; }

    /// <summary>Rows read so far (progress while running).</summary>
    public long RowsRead { get; init; }

    /// <summary>Rows written to the dataset.</summary>
    public long RowsImported { get; init; }

    /// <summary>Rows rejected by validation.</summary>
    public long RowsRejected { get; init; }

    /// <summary>Where the report of rejected rows is (container/blob), when there is one.</summary>
    public string? ErrorReportLocation { get; init; }

    /// <summary>
    /// FULL only: the share of rejected rows (0–100) above which the job fails and the dataset keeps its data; null
    /// for the service's setting (<see cref="DatasetImportOptions.MaxRejectedPercent"/>).
    /// </summary>
    public double? MaxRejectedPercent { get; init; }

    /// <summary>FULL only: whether the import may shrink the dataset to less than half of its rows.</summary>
    public bool AllowShrink { get; init; }

    /// <summary>
    /// Which safeguard of a FULL import failed the job (<c>maxRejectedPercent</c> or <c>allowShrink</c>), or null.
    /// </summary>
    public string? SafeguardFired { get; init; }

    /// <summary>Imported rows the dataset had when a FULL import was about to replace them (set when a safeguard fired).</summary>
    public long? PreviousRows { get; init; }

    /// <summary>
    /// The earlier job whose file had the same content (SHA-256) when this INCREMENTAL import was recognised as a
    /// duplicate: the job is ACTIVE with no row imported, and the dataset is unchanged.
    /// </summary>
    public string? DuplicateOf { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the file's bytes, once the file was read.</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);
}
