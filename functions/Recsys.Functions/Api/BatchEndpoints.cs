using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.BatchJobs;
using Recsys.Core.DataLifecycle;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Functions.Hosting;
using Recsys.Functions.Invocation;
using Recsys.Storage;

namespace Recsys.Functions.Api;

/// <summary>Batch inference and batch segment jobs (manage API) and the batch job function.</summary>
internal static class BatchEndpoints
{
    public static IServiceCollection AddBatchServices(this IServiceCollection services)
    {
        services.AddSingleton<IResourceStore<BatchJob>>(sp => new TableResourceStore<BatchJob>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.BatchJobsTable), BatchJobJson.Default.BatchJob, "batch job"));
        services.AddSingleton<IBatchJobFiles, BlobBatchJobFiles>();
        services.AddSingleton<IBatchJobScheduler, QueueBatchJobScheduler>();
        services.AddSingleton<BatchJobService>();
        services.AddSingleton<BatchJobRunner>();
        services.AddSingleton<IInvocationHandler, BatchJobFunction>();
        return services;
    }

    public static RouteGroupBuilder MapBatchEndpoints(this RouteGroupBuilder manage)
    {
        var inference = manage.MapGroup("/batch-inference-jobs").WithTags("Batch inference jobs");
        inference.MapPost("/", (CreateBatchJobRequest request, BatchJobService service, CancellationToken ct) => CreateAsync(BatchJobKind.Inference, request, service, ct)).WithName("CreateBatchInferenceJob");
        inference.MapGet("/", (BatchJobService service, int? maxResults, string? nextToken, CancellationToken ct) => ListAsync(BatchJobKind.Inference, service, maxResults, nextToken, ct)).WithName("ListBatchInferenceJobs");
        inference.MapGet("/{job}", (string job, BatchJobService service, CancellationToken ct) => DescribeAsync(BatchJobKind.Inference, job, service, ct)).WithName("DescribeBatchInferenceJob");
        var segment = manage.MapGroup("/batch-segment-jobs").WithTags("Batch segment jobs");
        segment.MapPost("/", (CreateBatchJobRequest request, BatchJobService service, CancellationToken ct) => CreateAsync(BatchJobKind.Segment, request, service, ct)).WithName("CreateBatchSegmentJob");
        segment.MapGet("/", (BatchJobService service, int? maxResults, string? nextToken, CancellationToken ct) => ListAsync(BatchJobKind.Segment, service, maxResults, nextToken, ct)).WithName("ListBatchSegmentJobs");
        segment.MapGet("/{job}", (string job, BatchJobService service, CancellationToken ct) => DescribeAsync(BatchJobKind.Segment, job, service, ct)).WithName("DescribeBatchSegmentJob");
        return manage;
    }

    private static string Key(BatchJobKind kind) => kind == BatchJobKind.Inference ? "batchInferenceJob" : "batchSegmentJob";

    private static async Task<Created<JsonObject>> CreateAsync(BatchJobKind kind, CreateBatchJobRequest request, BatchJobService service, CancellationToken cancellationToken)
    {
        var created = (await service.CreateAsync(
            kind, request.JobName, request.SolutionVersionArn, request.FilterArn, request.NumResults,
            request.JobInput?.S3DataSource?.Path, request.JobOutput?.S3DataDestination?.Path, cancellationToken)).Value;
        var route = kind == BatchJobKind.Inference ? "batch-inference-jobs" : "batch-segment-jobs";
        return TypedResults.Created($"/api/manage/{route}/{created.Name}", new JsonObject { [Key(kind) + "Arn"] = created.Arn });
    }

    private static async Task<Ok<JsonObject>> DescribeAsync(BatchJobKind kind, string job, BatchJobService service, CancellationToken cancellationToken)
        => TypedResults.Ok(new JsonObject { [Key(kind)] = View((await service.DescribeAsync(kind, Uri.UnescapeDataString(job), cancellationToken)).Value) });

    private static async Task<Ok<JsonObject>> ListAsync(BatchJobKind kind, BatchJobService service, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(kind, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new JsonObject
        {
            [Key(kind) + "s"] = new JsonArray(page.Items.Select(j => (JsonNode?)View(j)).ToArray()),
            ["nextToken"] = page.NextToken,
        });
    }

    /// <summary>Personalize's shape of a job, with our line counts.</summary>
    internal static JsonObject View(BatchJob job) => new()
    {
        ["jobName"] = job.Name,
        [Key(job.Kind) + "Arn"] = job.Arn,
        ["solutionVersionArn"] = job.SolutionVersionArn,
        ["filterArn"] = job.FilterArn,
        ["numResults"] = job.NumResults,
        ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = job.InputPath } },
        ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = job.OutputPath } },
        ["outputFile"] = job.OutputFile,
        ["status"] = job.State.Status,
        ["failureReason"] = job.State.FailureReason,
        ["linesRead"] = job.LinesRead,
        ["linesSucceeded"] = job.LinesSucceeded,
        ["linesFailed"] = job.LinesFailed,
        ["creationDateTime"] = job.State.CreationDateTime,
        ["lastUpdatedDateTime"] = job.State.LastUpdatedDateTime,
    };
}

internal sealed record S3DataSource(string? Path);

internal sealed record BatchJobInput(S3DataSource? S3DataSource);

internal sealed record BatchJobOutput(S3DataSource? S3DataDestination);

internal sealed record CreateBatchJobRequest(string? JobName, string? SolutionVersionArn, string? FilterArn, int? NumResults, BatchJobInput? JobInput, BatchJobOutput? JobOutput);

/// <summary>Source-generated JSON for batch job records kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(BatchJob))]
internal sealed partial class BatchJobJson : JsonSerializerContext;

/// <summary>Batch job files in Blob Storage: <c>container/blob</c>.</summary>
internal sealed class BlobBatchJobFiles(StorageClients storage) : IBatchJobFiles
{
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        var (container, blob) = Split(path);
        try
        {
            return await storage.Container(container).GetBlobClient(blob).ExistsAsync(cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            return false;
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (container, blob) = Split(path);
        return await storage.Container(container).GetBlobClient(blob).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
    }

    public async Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken = default)
    {
        var (container, blob) = Split(path);
        var client = storage.Container(container);
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return await client.GetBlockBlobClient(blob).OpenWriteAsync(overwrite: true, new BlockBlobOpenWriteOptions { BufferSize = 4 * 1024 * 1024 }, cancellationToken);
    }

    private static (string Container, string Blob) Split(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == path.Length - 1
            ? throw new InvalidInputException("path", $"'{path}' is not 'container/blob'.")
            : (path[..slash], path[(slash + 1)..]);
    }
}

/// <summary>Queues batch jobs on batch-jobs: <c>{"kind":"inference"|"segment","job":…}</c>.</summary>
internal sealed class QueueBatchJobScheduler(StorageClients storage) : IBatchJobScheduler
{
    public async Task EnqueueAsync(BatchJobKind kind, string jobName, CancellationToken cancellationToken = default)
    {
        var message = new JsonObject { ["kind"] = BatchJobService.Scope(kind), ["job"] = jobName };
        await storage.Queue(StorageNames.BatchJobsQueue).SendMessageAsync(message.ToJsonString(), cancellationToken);
    }
}

/// <summary>
/// <c>batchJob</c> (queue trigger on batch-jobs): runs one job per message — a batch inference or segment job, a
/// dataset export job or a data deletion job. On the last delivery a failure marks the job CREATE FAILED with the
/// error before the message goes to the poison queue.
/// </summary>
internal sealed class BatchJobFunction(BatchJobRunner runner, DataJobRunner dataJobs, FunctionApp app) : IInvocationHandler
{
    public string FunctionName => "batchJob";

    public async Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var (kind, name) = Parse(context.DataText("job"));
        try
        {
            return kind switch
            {
                DataJobService.ExportKind => Report(context, await dataJobs.RunExportAsync(name, cancellationToken)),
                DataJobService.DeletionKind => Report(context, await dataJobs.RunDeletionAsync(name, cancellationToken)),
                _ => Report(context, await runner.RunAsync(kind == "inference" ? BatchJobKind.Inference : BatchJobKind.Segment, name, cancellationToken)),
            };
        }
        catch (Exception e) when (context.DequeueCount >= app.Queues.MaxDequeueCount && e is not OperationCanceledException)
        {
            var reason = $"The job failed {context.DequeueCount} times; last error: {e.Message}";
            if (kind is DataJobService.ExportKind or DataJobService.DeletionKind)
            {
                await dataJobs.GiveUpAsync(kind, name, reason, CancellationToken.None);
            }
            else
            {
                await runner.GiveUpAsync(kind == "inference" ? BatchJobKind.Inference : BatchJobKind.Segment, name, reason, CancellationToken.None);
            }

            throw;
        }
    }

    private static JsonObject Report(InvocationContext context, BatchJob job)
    {
        context.Logs.Add($"{BatchJob.DisplayName(job.Kind)} {job.Name}: {job.State.Status}, {job.LinesRead} lines, {job.LinesFailed} with errors"
            + (job.State.FailureReason is null ? string.Empty : $" ({job.State.FailureReason})"));
        return new JsonObject { ["job"] = job.Name, ["status"] = job.State.Status, ["linesRead"] = job.LinesRead, ["linesFailed"] = job.LinesFailed };
    }

    private static JsonObject Report(InvocationContext context, DatasetExportJob job)
    {
        context.Logs.Add($"{DatasetExportJob.DisplayName} {job.Name}: {job.State.Status}, {job.RowsExported} rows to {job.OutputFile}"
            + (job.State.FailureReason is null ? string.Empty : $" ({job.State.FailureReason})"));
        return new JsonObject { ["job"] = job.Name, ["status"] = job.State.Status, ["rowsExported"] = job.RowsExported };
    }

    private static JsonObject Report(InvocationContext context, DataDeletionJob job)
    {
        context.Logs.Add($"{DataDeletionJob.DisplayName} {job.Name}: {DataDeletionJob.PublicStatus(job.State.Status)}, {job.NumDeleted} users, {job.EventsDeleted} events, {job.SegmentRowsRemoved} segment rows"
            + (job.State.FailureReason is null ? string.Empty : $" ({job.State.FailureReason})"));
        return new JsonObject { ["job"] = job.Name, ["status"] = DataDeletionJob.PublicStatus(job.State.Status), ["numDeleted"] = job.NumDeleted };
    }

    private static (string Kind, string Name) Parse(string? text)
    {
        try
        {
            var node = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
            var kind = (string?)node?["kind"];
            var name = (string?)node?["job"];
            if (name is { Length: > 0 } && kind is "inference" or "segment" or DataJobService.ExportKind or DataJobService.DeletionKind)
            {
                return (kind, name);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidInputException("job", "The job message is not valid JSON: " + e.Message);
        }

        throw new InvalidInputException("job", "The job message must be {\"kind\":\"inference\"|\"segment\"|\"export\"|\"deletion\",\"job\":…}.");
    }
}
