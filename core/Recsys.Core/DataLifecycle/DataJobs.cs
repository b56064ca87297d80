using Recsys.Core.Datasets;
using Recsys.Core.Resources;
using Recsys.Data.Schemas;

namespace Recsys.Core.DataLifecycle;

/// <summary>Which data a dataset export job writes (Personalize's <c>ingestionMode</c>).</summary>
public enum IngestionMode
{
    /// <summary>Imported data only.</summary>
    Bulk,

    /// <summary>Data sent one by one only: real-time events (compacted or not), PutItems and PutUsers records.</summary>
    Put,

    /// <summary>Both; for Items and Users only the newest record per id.</summary>
    All,
}

/// <summary>A dataset export job (Personalize's DatasetExportJob): one dataset's data as a CSV file in Blob Storage.</summary>
public sealed record DatasetExportJob : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "dataset-export-job";

    /// <summary>Display name.</summary>
    public const string DisplayName = "dataset export job";

    /// <summary>Job name.</summary>
    public required string Name { get; init; }

    /// <summary>The dataset group.</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>The dataset exported.</summary>
    public required DatasetType DatasetType { get; init; }

    /// <summary>Which data.</summary>
    public IngestionMode IngestionMode { get; init; } = IngestionMode.Put;

    /// <summary>The output location as given: <c>container/prefix/</c>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>The CSV file written: <c>container/blob</c>.</summary>
    public required string OutputFile { get; init; }

    /// <summary>Lifecycle state.</summary>
    public required ResourceState State { get; init; }

    /// <summary>Rows written so far.</summary>
    public long RowsExported { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);

    /// <summary>The exported dataset's ARN.</summary>
    public string DatasetArn => ResourceArn.For(Dataset.ResourceType, DatasetGroup + "/" + Dataset.TypeKey(DatasetType));
}

/// <summary>
/// A data deletion job (Personalize's DataDeletionJob): removes the users listed in a CSV (one <c>USER_ID</c> column)
/// from a dataset group — their events, history and metadata — at once for serving, and for every later training and export.
/// </summary>
public sealed record DataDeletionJob : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "data-deletion-job";

    /// <summary>Display name.</summary>
    public const string DisplayName = "data deletion job";

    /// <summary>Job name.</summary>
    public required string Name { get; init; }

    /// <summary>The dataset group.</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>The CSV of user ids: <c>container/blob</c>.</summary>
    public required string DataLocation { get; init; }

    /// <summary>Lifecycle state (shown with Personalize's names: PENDING, IN_PROGRESS, COMPLETED, FAILED).</summary>
    public required ResourceState State { get; init; }

    /// <summary>When the users were recorded as deleted (the instant serving stopped using their data).</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>Distinct users in the file.</summary>
    public long NumDeleted { get; init; }

    /// <summary>Lines of the file rejected (empty ids); listed in the error report.</summary>
    public long RowsRejected { get; init; }

    /// <summary>Real-time events deleted from the event store.</summary>
    public long EventsDeleted { get; init; }

    /// <summary>User records (PutUsers) deleted.</summary>
    public long RecordsDeleted { get; init; }

    /// <summary>Rows removed from imported and compacted segments (Interactions and Users).</summary>
    public long SegmentRowsRemoved { get; init; }

    /// <summary>Where the row-level error report is, when rows were rejected.</summary>
    public string? ErrorReportLocation { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);

    /// <summary>Personalize's status name for an internal status.</summary>
    public static string PublicStatus(string status) => status switch
    {
        ResourceStatus.CreatePending => "PENDING",
        ResourceStatus.CreateInProgress => "IN_PROGRESS",
        ResourceStatus.Active => "COMPLETED",
        ResourceStatus.CreateFailed => "FAILED",
        _ => status,
    };
}
