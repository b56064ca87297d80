using Azure;
using Azure.Storage.Blobs.Models;
using Recsys.Core.DatasetImports;

namespace Recsys.Storage;

/// <summary>
/// The imports container (read only: dropped files are never modified or deleted) and the job reports under
/// <c>jobs/import-errors/</c>.
/// </summary>
public sealed class BlobImportFileStore(StorageClients storage) : IImportFileStore
{
    private const string ReportPrefix = "import-errors/";

    /// <inheritdoc />
    public async Task<ImportFile?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await storage.Container(StorageNames.ImportsContainer).GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken);
            return new ImportFile(name, properties.Value.ETag.ToString().Trim('"'), properties.Value.ContentLength);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string name, string? etag, CancellationToken cancellationToken = default)
    {
        var blob = storage.Container(StorageNames.ImportsContainer).GetBlobClient(name);
        try
        {
            // allowModifications: false pins the version opened; IfMatch pins the one the job was created for.
            return await blob.OpenReadAsync(
                new BlobOpenReadOptions(allowModifications: false)
                {
                    BufferSize = 4 * 1024 * 1024,
                    Conditions = etag is null ? null : new BlobRequestConditions { IfMatch = new ETag("\"" + etag.Trim('"') + "\"") },
                },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            throw new ImportFileChangedException(e.Status == 404
                ? $"The file '{name}' no longer exists in the imports container."
                : $"The file '{name}' was replaced after this job was created; the new version is imported by a job of its own.");
        }
    }

    /// <inheritdoc />
    public async Task<string> WriteErrorReportAsync(string jobName, string csv, CancellationToken cancellationToken = default)
    {
        var name = ReportPrefix + jobName + ".csv";
        await storage.Container(StorageNames.JobsContainer).GetBlobClient(name).UploadAsync(
            BinaryData.FromString(csv), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv" } }, cancellationToken);
        return StorageNames.JobsContainer + "/" + name;
    }

    /// <inheritdoc />
    public async Task<string?> ReadErrorReportAsync(string jobName, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await storage.Container(StorageNames.JobsContainer).GetBlobClient(ReportPrefix + jobName + ".csv").DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
