using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importDrop</c> (blob trigger on <c>imports/{name}</c>, Event Grid source): a CSV dropped into the imports
/// container starts its import. The blob arrives as a <see cref="BlobClient"/>, never inlined — the import job streams
/// it — and this function only queues the import of the blob's current version, once per version (receipts in
/// <see cref="ImportDropDispatcher"/>), so Event Grid's redeliveries and the sweep never import a file twice.
/// </summary>
internal sealed class ImportDropFunction(ImportDropDispatcher drops, ILogger<ImportDropFunction> logger)
{
    [Function("importDrop")]
    public async Task RunAsync(
        [BlobTrigger(StorageNames.ImportsContainer + "/{name}", Source = BlobTriggerSource.EventGrid)] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
    {
        ETag etag;
        try
        {
            etag = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            Log.DropSkipped(logger, name);
            return;
        }

        var version = etag.ToString();
        if (await drops.DispatchAsync(blob.Name, version, cancellationToken))
        {
            Log.DropQueued(logger, blob.Name, version);
        }
        else
        {
            Log.DropSkipped(logger, blob.Name);
        }
    }
}
