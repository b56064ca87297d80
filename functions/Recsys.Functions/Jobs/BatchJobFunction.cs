using Microsoft.Azure.Functions.Worker;
using Recsys.Core.BatchJobs;
using Recsys.Core.DataLifecycle;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>batchJob</c> (queue trigger on batch-jobs): one job per message — a batch inference or segment job
/// (<see cref="BatchJobRunner"/>), a dataset export job or a data deletion job (<see cref="DataJobRunner"/>).
/// </summary>
internal sealed class BatchJobFunction(BatchJobRunner runner, DataJobRunner dataJobs, IJobScheduler scheduler, JobDeliveries deliveries)
{
    [Function("batchJob")]
    public Task RunAsync([QueueTrigger(StorageNames.BatchJobsQueue)] BatchJobMessage message, FunctionContext context, CancellationToken cancellationToken)
    {
        Task Requeue(TimeSpan delay) => scheduler.SendAsync(message, delay, cancellationToken);
        return message.Kind switch
        {
            BatchJobMessage.Export => deliveries.RunAsync(
                context, message.Kind, message.Job, d => dataJobs.RunExportAsync(message.Job, d, cancellationToken), Requeue,
                job => $"{job.RowsExported} rows to {job.OutputFile}{ImportJobFunction.Reason(job.State.FailureReason)}"),
            BatchJobMessage.Deletion => deliveries.RunAsync(
                context, message.Kind, message.Job, d => dataJobs.RunDeletionAsync(message.Job, d, cancellationToken), Requeue,
                job => $"{job.NumDeleted} users, {job.EventsDeleted} events, {job.SegmentRowsRemoved} segment rows{ImportJobFunction.Reason(job.State.FailureReason)}"),
            BatchJobMessage.Inference or BatchJobMessage.Segment => deliveries.RunAsync(
                context, message.Kind, message.Job, d => runner.RunAsync(KindOf(message), message.Job, d, cancellationToken), Requeue,
                job => $"{job.LinesRead} lines, {job.LinesFailed} with errors{ImportJobFunction.Reason(job.State.FailureReason)}"),
            _ => throw new InvalidInputException("kind", $"A batch-jobs message is {{\"kind\": {string.Join("|", BatchJobMessage.Kinds)}, \"job\": …}}, not kind '{message.Kind}'."),
        };
    }

    /// <summary>Marks the job of <paramref name="message"/> failed with <paramref name="reason"/> unless it has ended.</summary>
    public static Task<bool> GiveUpAsync(BatchJobRunner runner, DataJobRunner dataJobs, BatchJobMessage message, string reason, CancellationToken cancellationToken)
        => message.Kind is BatchJobMessage.Export or BatchJobMessage.Deletion
            ? dataJobs.GiveUpAsync(message.Kind, message.Job, reason, cancellationToken)
            : runner.GiveUpAsync(KindOf(message), message.Job, reason, cancellationToken);

    private static BatchJobKind KindOf(BatchJobMessage message) => message.Kind == BatchJobMessage.Inference ? BatchJobKind.Inference : BatchJobKind.Segment;
}
