using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Recsys.Core.BatchJobs;
using Recsys.Core.Errors;

namespace Recsys.Storage;

/// <summary>Batch job inputs and outputs in Blob Storage, addressed as <c>container/blob</c>.</summary>
public sealed class BlobBatchJobFiles(StorageClients storage) : IBatchJobFiles
{
    /// <inheritdoc />
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

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (container, blob) = Split(path);
        return await storage.Container(container).GetBlobClient(blob).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
    }

    /// <inheritdoc />
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
