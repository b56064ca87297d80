using Azure;
using Azure.Storage.Blobs.Specialized;

namespace Recsys.DevHost.Storage;

internal static class LeaseRelease
{
    /// <summary>Releases a lease when storage lets it; otherwise the lease simply runs out.</summary>
    public static async Task QuietlyAsync(BlobLeaseClient lease)
    {
        try
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
        }
        catch (Exception e) when (e is RequestFailedException || StorageHealth.IsOutage(e))
        {
            // Expired, broken or unreachable: the lease ends by itself.
        }
    }
}
