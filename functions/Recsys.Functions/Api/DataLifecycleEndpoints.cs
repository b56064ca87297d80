using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.DataLifecycle;
using Recsys.Core.Datasets;
using Recsys.Core.Resources;
using Recsys.Functions.Invocation;
using Recsys.Functions.Jobs;
using Recsys.Storage;

namespace Recsys.Functions.Api;

/// <summary>Dataset export jobs and data deletion jobs (manage API), and the event compaction timer.</summary>
internal static class DataLifecycleEndpoints
{
    public static IServiceCollection AddDataLifecycleServices(this IServiceCollection services)
    {
        services.AddSingleton<IResourceStore<DatasetExportJob>>(sp => new TableResourceStore<DatasetExportJob>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.BatchJobsTable), DataJobJson.Default.DatasetExportJob, DatasetExportJob.DisplayName));
        services.AddSingleton<IResourceStore<DataDeletionJob>>(sp => new TableResourceStore<DataDeletionJob>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.BatchJobsTable), DataJobJson.Default.DataDeletionJob, DataDeletionJob.DisplayName));
        services.AddSingleton<IDeletedUsers>(sp => new TableDeletedUsers(sp.GetRequiredService<StorageClients>().Table(StorageNames.DeletedUsersTable)));
        services.AddSingleton<IDataJobScheduler, QueueDataJobScheduler>();
        services.AddSingleton<DataJobService>();
        services.AddSingleton<DataJobRunner>();
        services.AddSingleton(sp => new EventCompactor(
            sp.GetRequiredService<DatasetService>(), sp.GetRequiredService<Core.Schemas.SchemaService>(), sp.GetRequiredService<IDatasetSegmentStore>(),
            sp.GetRequiredService<Core.Events.IEventStore>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IConfiguration>().GetValue("Recsys:Events:CompactionSettleSeconds", EventCompactor.DefaultSettleTime.TotalSeconds))));
        services.AddSingleton<IInvocationHandler, EventCompactionTimerFunction>();
        return services;
    }

    public static RouteGroupBuilder MapDataLifecycleEndpoints(this RouteGroupBuilder manage)
    {
        var exports = manage.MapGroup("/dataset-export-jobs").WithTags("Dataset export jobs");
        exports.MapPost("/", CreateExportAsync).WithName("CreateDatasetExportJob");
        exports.MapGet("/", async (DataJobService service, int? maxResults, string? nextToken, CancellationToken ct) =>
            Page("datasetExportJobs", await service.ListExportsAsync(maxResults, nextToken, ct), View)).WithName("ListDatasetExportJobs");
        exports.MapGet("/{job}", async (string job, DataJobService service, CancellationToken ct) =>
            TypedResults.Ok(new JsonObject { ["datasetExportJob"] = View((await service.DescribeExportAsync(Uri.UnescapeDataString(job), ct)).Value) })).WithName("DescribeDatasetExportJob");

        var deletions = manage.MapGroup("/data-deletion-jobs").WithTags("Data deletion jobs");
        deletions.MapPost("/", CreateDeletionAsync).WithName("CreateDataDeletionJob");
        deletions.MapGet("/", async (DataJobService service, int? maxResults, string? nextToken, CancellationToken ct) =>
            Page("dataDeletionJobs", await service.ListDeletionsAsync(maxResults, nextToken, ct), View)).WithName("ListDataDeletionJobs");
        deletions.MapGet("/{job}", async (string job, DataJobService service, CancellationToken ct) =>
            TypedResults.Ok(new JsonObject { ["dataDeletionJob"] = View((await service.DescribeDeletionAsync(Uri.UnescapeDataString(job), ct)).Value) })).WithName("DescribeDataDeletionJob");
        return manage;
    }

    private static async Task<Created<JsonObject>> CreateExportAsync(CreateDatasetExportJobRequest request, DataJobService service, CancellationToken cancellationToken)
    {
        var job = (await service.CreateExportAsync(request.JobName, request.DatasetArn, request.IngestionMode, request.JobOutput?.S3DataDestination?.Path, cancellationToken)).Value;
        return TypedResults.Created("/api/manage/dataset-export-jobs/" + job.Name, new JsonObject { ["datasetExportJobArn"] = job.Arn });
    }

    private static async Task<Created<JsonObject>> CreateDeletionAsync(CreateDataDeletionJobRequest request, DataJobService service, CancellationToken cancellationToken)
    {
        var job = (await service.CreateDeletionAsync(request.JobName, request.DatasetGroupArn, request.DataSource?.DataLocation, cancellationToken)).Value;
        return TypedResults.Created("/api/manage/data-deletion-jobs/" + job.Name, new JsonObject { ["dataDeletionJobArn"] = job.Arn });
    }

    private static Ok<JsonObject> Page<T>(string key, ResourcePage<T> page, Func<T, JsonObject> view)
        => TypedResults.Ok(new JsonObject { [key] = new JsonArray(page.Items.Select(j => (JsonNode?)view(j)).ToArray()), ["nextToken"] = page.NextToken });

    /// <summary>Personalize's shape of an export job, with our row count and file name.</summary>
    internal static JsonObject View(DatasetExportJob job) => new()
    {
        ["jobName"] = job.Name,
        ["datasetExportJobArn"] = job.Arn,
        ["datasetArn"] = job.DatasetArn,
        ["ingestionMode"] = job.IngestionMode.ToString().ToUpperInvariant(),
        ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = job.OutputPath } },
        ["outputFile"] = job.OutputFile,
        ["status"] = job.State.Status,
        ["failureReason"] = job.State.FailureReason,
        ["rowsExported"] = job.RowsExported,
        ["creationDateTime"] = job.State.CreationDateTime,
        ["lastUpdatedDateTime"] = job.State.LastUpdatedDateTime,
    };

    /// <summary>Personalize's shape of a deletion job (its status names), with what was removed.</summary>
    internal static JsonObject View(DataDeletionJob job) => new()
    {
        ["jobName"] = job.Name,
        ["dataDeletionJobArn"] = job.Arn,
        ["datasetGroupArn"] = ResourceArn.For(Core.DatasetGroups.DatasetGroup.ResourceType, job.DatasetGroup),
        ["dataSource"] = new JsonObject { ["dataLocation"] = job.DataLocation },
        ["status"] = DataDeletionJob.PublicStatus(job.State.Status),
        ["failureReason"] = job.State.FailureReason,
        ["numDeleted"] = job.NumDeleted,
        ["rowsRejected"] = job.RowsRejected,
        ["errorReportLocation"] = job.ErrorReportLocation,
        ["deletedAt"] = job.DeletedAt,
        ["eventsDeleted"] = job.EventsDeleted,
        ["recordsDeleted"] = job.RecordsDeleted,
        ["segmentRowsRemoved"] = job.SegmentRowsRemoved,
        ["creationDateTime"] = job.State.CreationDateTime,
        ["lastUpdatedDateTime"] = job.State.LastUpdatedDateTime,
    };
}

internal sealed record DataDeletionSource(string? DataLocation);

internal sealed record CreateDatasetExportJobRequest(string? JobName, string? DatasetArn, string? IngestionMode, BatchJobOutput? JobOutput);

internal sealed record CreateDataDeletionJobRequest(string? JobName, string? DatasetGroupArn, DataDeletionSource? DataSource);

/// <summary>Source-generated JSON for data job records kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DatasetExportJob))]
[JsonSerializable(typeof(DataDeletionJob))]
internal sealed partial class DataJobJson : JsonSerializerContext;

/// <summary>Queues data jobs on batch-jobs: <c>{"kind":"export"|"deletion","job":…}</c>.</summary>
internal sealed class QueueDataJobScheduler(StorageClients storage) : IDataJobScheduler
{
    public async Task EnqueueAsync(string kind, string jobName, CancellationToken cancellationToken = default)
        => await storage.Queue(StorageNames.BatchJobsQueue).SendMessageAsync(new JsonObject { ["kind"] = kind, ["job"] = jobName }.ToJsonString(), cancellationToken);
}
