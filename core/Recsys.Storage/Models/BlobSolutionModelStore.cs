using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Recsys.Core.Solutions;

namespace Recsys.Storage.Models;

/// <summary>
/// Solution version models in Blob Storage: <c>models/{solution}/{version}/model.bin</c> (the versioned binary
/// artifact) and <c>models/{solution}/{version}/manifest.json</c>, written after the artifact as the commit point.
/// </summary>
public sealed class BlobSolutionModelStore(StorageClients storage) : ISolutionModelStore
{
    /// <summary>Artifacts up to this size are downloaded into memory in one request; larger ones are streamed.</summary>
    private const long InMemoryDownloadLimit = 512L * 1024 * 1024;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private Azure.Storage.Blobs.BlobContainerClient Container => storage.Container(StorageNames.ModelsContainer);

    /// <inheritdoc />
    public async Task<(string Path, long Bytes)> WriteArtifactAsync(string solution, string version, Action<Stream> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var path = Prefix(solution, version) + "model.bin";
        var blob = Container.GetBlockBlobClient(path);
        await using (var stream = await blob.OpenWriteAsync(overwrite: true, new BlockBlobOpenWriteOptions { BufferSize = 8 * 1024 * 1024 }, cancellationToken))
        {
            await Task.Run(() => write(stream), cancellationToken);
        }

        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        return (StorageNames.ModelsContainer + "/" + path, properties.Value.ContentLength);
    }

    /// <inheritdoc />
    public async Task<string> CommitManifestAsync(string solution, string version, ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        var path = Prefix(solution, version) + "manifest.json";
        await Container.GetBlobClient(path).UploadAsync(BinaryData.FromObjectAsJson(manifest, s_json), overwrite: true, cancellationToken);
        return StorageNames.ModelsContainer + "/" + path;
    }

    /// <inheritdoc />
    public async Task<ModelManifest?> ReadManifestAsync(string solution, string version, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await Container.GetBlobClient(Prefix(solution, version) + "manifest.json").DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<ModelManifest>(s_json);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenArtifactAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path.StartsWith(StorageNames.ModelsContainer + "/", StringComparison.Ordinal) ? path[(StorageNames.ModelsContainer.Length + 1)..] : path;
        var blob = Container.GetBlobClient(name);

        // Models are read whole right away: one streamed download into memory is several times faster than the
        // synchronous reads of a buffered blob stream (a round trip per 4 MiB). Very large artifacts are streamed.
        var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = download.Value.Content;
        var length = download.Value.Details.ContentLength;
        if (length > InMemoryDownloadLimit)
        {
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, cancellationToken);
        }

        var buffer = new MemoryStream((int)length);
        await content.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        return buffer;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string solution, string version, CancellationToken cancellationToken = default)
    {
        // The manifest first, so that nothing serves a version whose artifact is going away.
        await Container.GetBlobClient(Prefix(solution, version) + "manifest.json").DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await Container.GetBlobClient(Prefix(solution, version) + "model.bin").DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    private static string Prefix(string solution, string version) => $"{solution}/{version}/";
}
