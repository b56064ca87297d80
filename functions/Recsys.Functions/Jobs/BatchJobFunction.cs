using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.BatchJobs;
using Recsys.Core.DataLifecycle;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>batchJob</c> (queue trigger on batch-jobs): one job per message — a batch inference or segment job, a dataset
/// export job or a data deletion job. On the last delivery a failure marks the job failed with the error before the
/// host moves the message to the poison queue.
/// </summary>
internal sealed class BatchJobFunction(BatchJobRunner runner, DataJobRunner dataJobs, QueueHostSettings queues, ILogger<BatchJobFunction> logger)
{
    [Function("batchJob")]
    public async Task RunAsync([QueueTrigger(StorageNames.BatchJobsQueue)] BatchJobMessage message, FunctionContext context, CancellationToken cancellationToken)
    {
        if (!BatchJobMessage.Kinds.Contains(message.Kind) || string.IsNullOrEmpty(message.Job))
        {
            throw new InvalidInputException("kind", $"A batch-jobs message is {{\"kind\": {string.Join("|", BatchJobMessage.Kinds)}, \"job\": …}}, not kind '{message.Kind}'.");
        }

        var delivery = Delivery.DequeueCount(context);
        try
        {
            var (status, detail) = message.Kind switch
            {
                BatchJobMessage.Export => Describe(await dataJobs.RunExportAsync(message.Job, cancellationToken)),
                BatchJobMessage.Deletion => Describe(await dataJobs.RunDeletionAsync(message.Job, cancellationToken)),
                _ => Describe(await runner.RunAsync(KindOf(message), message.Job, cancellationToken)),
            };
            Log.BatchJobEnded(logger, message.Kind, message.Job, status, detail, delivery);
        }
        catch (Exception e) when (queues.IsLastDelivery(delivery) && e is not OperationCanceledException)
        {
            await GiveUpAsync(runner, dataJobs, message, $"The job failed {delivery} times; last error: {e.Message}");
            throw;
        }
    }

    /// <summary>Marks the job of <paramref name="message"/> failed with <paramref name="reason"/> unless it has ended.</summary>
    public static Task GiveUpAsync(BatchJobRunner runner, DataJobRunner dataJobs, BatchJobMessage message, string reason)
        => message.Kind is BatchJobMessage.Export or BatchJobMessage.Deletion
            ? dataJobs.GiveUpAsync(message.Kind, message.Job, reason, CancellationToken.None)
            : runner.GiveUpAsync(KindOf(message), message.Job, reason, CancellationToken.None);

    private static BatchJobKind KindOf(BatchJobMessage message) => message.Kind == BatchJobMessage.Inference ? BatchJobKind.Inference : BatchJobKind.Segment;

    private static (string, string) Describe(BatchJob job)
        => (job.State.Status, $"{job.LinesRead} lines, {job.LinesFailed} with errors{Reason(job.State.FailureReason)}");

    private static (string, string) Describe(DatasetExportJob job)
        => (job.State.Status, $"{job.RowsExported} rows to {job.OutputFile}{Reason(job.State.FailureReason)}");

    private static (string, string) Describe(DataDeletionJob job)
        => (DataDeletionJob.PublicStatus(job.State.Status), $"{job.NumDeleted} users, {job.EventsDeleted} events, {job.SegmentRowsRemoved} segment rows{Reason(job.State.FailureReason)}");

    private static string Reason(string? failure) => failure is null ? string.Empty : $" ({failure})";
}
