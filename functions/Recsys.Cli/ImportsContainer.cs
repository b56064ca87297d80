using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Recsys.Cli;

/// <summary>
/// The imports container of the storage account the app watches: a connection string (Azurite's
/// <c>UseDevelopmentStorage=true</c> by default) or, for Azure with identity-based access, the account's blob URL
/// (<c>https://{account}.blob.core.windows.net</c>) signed in with <c>DefaultAzureCredential</c> (az login, managed
/// identity, environment). A blob written at <c>imports/{group}/{Type}/…</c> starts its import job by itself.
/// </summary>
internal static class ImportsContainer
{
    public const string Name = "imports";

    public static BlobContainerClient Open(string storage)
    {
        try
        {
            // Few retries: a person waits for the answer, and an unreachable account should say so soon.
            var options = new BlobClientOptions { Retry = { MaxRetries = 2, Delay = TimeSpan.FromSeconds(0.5) } };
            var service = Uri.TryCreate(storage, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"
                ? new BlobServiceClient(url, new DefaultAzureCredential(), options)
                : new BlobServiceClient(storage, options);
            return service.GetBlobContainerClient(Name);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.Usage, $"--storage (RECSYS_STORAGE) is neither a connection string nor a blob account URL: {e.Message}");
        }
    }

    /// <summary>Uploads <paramref name="file"/> as <paramref name="blobName"/> (inside the container), replacing a blob of that name.</summary>
    public static async Task UploadAsync(BlobContainerClient container, string file, string blobName, CancellationToken cancellationToken)
    {
        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await container.GetBlobClient(blobName).UploadAsync(file, overwrite: true, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status != 0)
        {
            throw new CliException(ExitCodes.Refused, $"The storage account refused the upload of {Name}/{blobName}: {e.Status} {e.ErrorCode}.");
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException or AuthenticationFailedException)
        {
            throw new CliException(ExitCodes.Unreachable, $"Cannot upload to {container.Uri}: {e.Message} "
                + "(--storage / RECSYS_STORAGE: the connection string or blob URL of the account the app uses; UseDevelopmentStorage=true is Azurite).");
        }
    }
}
