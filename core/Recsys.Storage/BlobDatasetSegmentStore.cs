using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Recsys.Core.Datasets;
using Recsys.Data.Schemas;

namespace Recsys.Storage;

/// <summary>
/// Dataset data in Blob Storage: <c>datasets/{group}/{TYPE}/segments/{segment}.parquet</c> and the manifest
/// <c>datasets/{group}/{TYPE}/manifest.json</c>, replaced with If-Match so that commits never lose each other.
/// </summary>
public sealed class BlobDatasetSegmentStore(StorageClients storage) : IDatasetSegmentStore
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private BlobContainerClient Container => storage.Container(StorageNames.DatasetsContainer);

    /// <inheritdoc />
    public async Task<DatasetManifest> ReadManifestAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken = default)
        => (await ReadAsync(datasetGroup, type, cancellationToken)).Manifest;

    /// <inheritdoc />
    public async Task<Stream> OpenSegmentWriteAsync(string datasetGroup, DatasetType type, string segment, CancellationToken cancellationToken = default)
        => await Container.GetBlockBlobClient(SegmentPath(datasetGroup, type, segment)).OpenWriteAsync(
            overwrite: true,
            new Azure.Storage.Blobs.Models.BlockBlobOpenWriteOptions { BufferSize = 8 * 1024 * 1024 },
            cancellationToken);

    /// <inheritdoc />
    public async Task<Stream> OpenSegmentReadAsync(string datasetGroup, DatasetType type, string segment, CancellationToken cancellationToken = default)
        => await Container.GetBlobClient(SegmentPath(datasetGroup, type, segment)).OpenReadAsync(
            new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 },
            cancellationToken);

    /// <inheritdoc />
    public async Task<DatasetManifest> CommitAsync(string datasetGroup, DatasetType type, Func<DatasetManifest, DatasetManifest> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var blob = Container.GetBlobClient(Prefix(datasetGroup, type) + "manifest.json");
        for (var attempt = 0; ; attempt++)
        {
            var (current, etag) = await ReadAsync(datasetGroup, type, cancellationToken);
            var next = change(current) with { Version = current.Version + 1 };
            var conditions = etag is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = etag };
            try
            {
                await blob.UploadAsync(BinaryData.FromObjectAsJson(next, s_json), new BlobUploadOptions { Conditions = conditions }, cancellationToken);
            }
            catch (RequestFailedException e) when ((e.Status is 409 or 412) && attempt < 20)
            {
                continue; // another commit won; apply the change to its result
            }

            var kept = next.Segments.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var dropped in current.Segments.Where(s => !kept.Contains(s.Name)))
            {
                await DeleteSegmentAsync(datasetGroup, type, dropped.Name, cancellationToken);
            }

            return next;
        }
    }

    /// <inheritdoc />
    public async Task DeleteSegmentAsync(string datasetGroup, DatasetType type, string segment, CancellationToken cancellationToken = default)
        => await Container.GetBlobClient(SegmentPath(datasetGroup, type, segment)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAllAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken = default)
    {
        // The manifest goes first, so readers stop seeing the data before its segments disappear.
        await Container.GetBlobClient(Prefix(datasetGroup, type) + "manifest.json").DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await foreach (var blob in Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Prefix(datasetGroup, type), cancellationToken))
        {
            await Container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    private async Task<(DatasetManifest Manifest, ETag? ETag)> ReadAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken)
    {
        try
        {
            var content = await Container.GetBlobClient(Prefix(datasetGroup, type) + "manifest.json").DownloadContentAsync(cancellationToken);
            return (content.Value.Content.ToObjectFromJson<DatasetManifest>(s_json)!, content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (DatasetManifest.Empty, null);
        }
    }

    private static string Prefix(string datasetGroup, DatasetType type) => $"{datasetGroup}/{Dataset.TypeKey(type)}/";

    private static string SegmentPath(string datasetGroup, DatasetType type, string segment) => $"{Prefix(datasetGroup, type)}segments/{segment}.parquet";
}
