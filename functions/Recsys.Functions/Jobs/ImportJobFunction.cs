using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.DatasetImports;
using Recsys.Core.Jobs;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importJob</c> (queue trigger on import-jobs): one dataset import per message, whether the file was dropped into
/// the imports container or the job was created through the manage API. On the last delivery a failure marks the job
/// failed with the error before the host moves the message to the poison queue.
/// </summary>
internal sealed class ImportJobFunction(DatasetImportRunner runner, QueueHostSettings queues, ILogger<ImportJobFunction> logger)
{
    [Function("importJob")]
    public async Task RunAsync([QueueTrigger(StorageNames.ImportJobsQueue)] ImportJobMessage message, FunctionContext context, CancellationToken cancellationToken)
    {
        var delivery = Delivery.DequeueCount(context);
        var request = new ImportRequest(message.Blob, message.ETag, message.Job);
        DatasetImportJob job;
        try
        {
            job = await runner.RunAsync(request, cancellationToken);
        }
        catch (Exception e) when (queues.IsLastDelivery(delivery) && e is not OperationCanceledException)
        {
            await runner.GiveUpAsync(request, $"The import failed {delivery} times; last error: {e.Message}", CancellationToken.None);
            throw;
        }

        Log.ImportEnded(logger, job.Name, job.DataLocation, job.State.Status, job.RowsRead, job.RowsImported, job.RowsRejected, delivery, job.State.FailureReason ?? string.Empty);
    }
}
