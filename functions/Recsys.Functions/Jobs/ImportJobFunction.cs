using Microsoft.Azure.Functions.Worker;
using Recsys.Core.DatasetImports;
using Recsys.Core.Jobs;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importJob</c> (queue trigger on import-jobs): one dataset import per message, whether the file was dropped into
/// the imports container or the job was created through the manage API (see <see cref="DatasetImportRunner"/>).
/// </summary>
internal sealed class ImportJobFunction(DatasetImportRunner runner, IJobScheduler scheduler, JobDeliveries deliveries)
{
    [Function("importJob")]
    public Task RunAsync([QueueTrigger(StorageNames.ImportJobsQueue)] ImportJobMessage message, FunctionContext context, CancellationToken cancellationToken)
        => deliveries.RunAsync(
            context, "import", message.Job ?? "imports/" + message.Blob,
            delivery => runner.RunAsync(message, delivery, cancellationToken),
            delay => scheduler.SendAsync(message, delay, cancellationToken),
            job => $"{job.RowsRead} rows read, {job.RowsImported} imported, {job.RowsRejected} rejected{Reason(job.State.FailureReason)}");

    internal static string Reason(string? failure) => failure is null ? string.Empty : $" ({failure})";
}
