namespace Recsys.Storage;

/// <summary>Names of the containers, queues and tables Recsys uses. All are created at start-up.</summary>
public static class StorageNames
{
    /// <summary>Container where users drop CSV files; never modified by Recsys.</summary>
    public const string ImportsContainer = "imports";

    /// <summary>Container of imported dataset segments and real-time event logs.</summary>
    public const string DatasetsContainer = "datasets";

    /// <summary>Container of model artifacts and manifests.</summary>
    public const string ModelsContainer = "models";

    /// <summary>Container of job reports (import errors), batch inputs and outputs, exports.</summary>
    public const string JobsContainer = "jobs";

    /// <summary>Container the Functions host (and our local host) uses for timer status and locks.</summary>
    public const string HostContainer = "azure-webjobs-hosts";

    /// <summary>Queue of dataset import jobs (also the target of the imports container's BlobCreated events).</summary>
    public const string ImportJobsQueue = "import-jobs";

    /// <summary>Queue of training jobs.</summary>
    public const string TrainingJobsQueue = "training-jobs";

    /// <summary>Queue of batch inference and segment jobs, dataset export jobs and data deletion jobs.</summary>
    public const string BatchJobsQueue = "batch-jobs";

    /// <summary>Table of dataset groups.</summary>
    public const string DatasetGroupsTable = "datasetgroups";

    /// <summary>Table of schemas.</summary>
    public const string SchemasTable = "schemas";

    /// <summary>Table of batch inference and batch segment jobs, dataset export jobs and data deletion jobs (partition: kind).</summary>
    public const string BatchJobsTable = "batchjobs";

    /// <summary>Table of datasets (partition: dataset group; row: type).</summary>
    public const string DatasetsTable = "datasets";

    /// <summary>Table of dataset import jobs.</summary>
    public const string ImportJobsTable = "importjobs";

    /// <summary>Table of event trackers.</summary>
    public const string EventTrackersTable = "eventtrackers";

    /// <summary>Table of real-time events and each user's (or session's) recent history.</summary>
    public const string EventsTable = "events";

    /// <summary>Table of recent changes to users' histories, which instances follow to keep their history caches current.</summary>
    public const string HistoryChangesTable = "historychanges";

    /// <summary>Table of item records sent with PutItems.</summary>
    public const string ItemsTable = "items";

    /// <summary>Table of user records sent with PutUsers.</summary>
    public const string UsersTable = "users";

    /// <summary>Table of solutions.</summary>
    public const string SolutionsTable = "solutions";

    /// <summary>Table of solution versions (partition: solution).</summary>
    public const string SolutionVersionsTable = "solutionversions";

    /// <summary>Table of filters.</summary>
    public const string FiltersTable = "filters";

    /// <summary>Table of campaigns.</summary>
    public const string CampaignsTable = "campaigns";

    /// <summary>Table of users removed by data deletion jobs (partition: dataset group; row: user), kept so that no later training or export reads their older data.</summary>
    public const string DeletedUsersTable = "deletedusers";

    /// <summary>Table of blob receipts: which (blob, ETag) the local host has already turned into an import message.</summary>
    public const string BlobReceiptsTable = "blobreceipts";

    /// <summary>Every container Recsys needs.</summary>
    public static IReadOnlyList<string> Containers { get; } =
        [ImportsContainer, DatasetsContainer, ModelsContainer, JobsContainer, HostContainer];

    /// <summary>Every queue Recsys needs, with their poison queues.</summary>
    public static IReadOnlyList<string> Queues { get; } =
        [ImportJobsQueue, ImportJobsQueue + "-poison", TrainingJobsQueue, TrainingJobsQueue + "-poison", BatchJobsQueue, BatchJobsQueue + "-poison"];

    /// <summary>Every table Recsys needs.</summary>
    public static IReadOnlyList<string> Tables { get; } = [DatasetGroupsTable, SchemasTable, DatasetsTable, ImportJobsTable, EventTrackersTable, EventsTable, HistoryChangesTable, ItemsTable, UsersTable, SolutionsTable, SolutionVersionsTable, FiltersTable, CampaignsTable, BatchJobsTable, BlobReceiptsTable, DeletedUsersTable];
}
