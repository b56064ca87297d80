using System.Text.Json.Nodes;
using Recsys.Core.DatasetImports;
using Recsys.Functions.Hosting;
using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importJob</c> (queue trigger on import-jobs): one dataset import per message, whether it came from a file
/// dropped in the imports container (a BlobCreated event) or from the manage API.
/// </summary>
internal sealed class ImportJobFunction(DatasetImportRunner runner, ImportDropScanner receipts, FunctionApp app) : IInvocationHandler
{
    public string FunctionName => "importJob";

    public async Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var message = ImportJobMessage.Parse(context.DataText("job"));
        var request = new ImportRequest(message.BlobName, message.ETag, message.JobName);
        if (message.JobName is null && message.ETag is not null)
        {
            // An event Event Grid delivered: record it, so that the sweep does not send it again.
            await receipts.RecordReceiptAsync(message.BlobName, message.ETag, cancellationToken);
        }

        DatasetImportJob job;
        try
        {
            job = await runner.RunAsync(request, cancellationToken);
        }
        catch (Exception e) when (context.DequeueCount >= app.Queues.MaxDequeueCount && e is not OperationCanceledException)
        {
            // The last delivery: the message goes to the poison queue, and the job says why.
            await runner.GiveUpAsync(request, $"The import failed {context.DequeueCount} times; last error: {e.Message}", CancellationToken.None);
            throw;
        }

        context.Logs.Add($"import {job.Name} of imports/{job.DataLocation}: {job.State.Status}, {job.RowsRead} rows read, {job.RowsImported} imported, {job.RowsRejected} rejected"
            + $", delivery {context.DequeueCount}" + (job.State.FailureReason is null ? string.Empty : $" ({job.State.FailureReason})"));
        return new JsonObject
        {
            ["job"] = job.Name,
            ["blob"] = job.DataLocation,
            ["etag"] = job.BlobETag,
            ["status"] = job.State.Status,
            ["rowsImported"] = job.RowsImported,
            ["rowsRejected"] = job.RowsRejected,
        };
    }
}
