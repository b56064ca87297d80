using Azure;

namespace Recsys.Storage;

/// <summary>Creates every container, queue and table Recsys needs; safe to run at every start and from many instances.</summary>
public sealed class StorageProvisioner(StorageClients clients)
{
    /// <summary>Creates what is missing, in parallel.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Containers.Select(c => clients.Container(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        work.AddRange(StorageNames.Queues.Select(q => clients.Queue(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        work.AddRange(StorageNames.Tables.Select(t => CreateTableAsync(t, cancellationToken)));
        await Task.WhenAll(work);
    }

    private async Task CreateTableAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            await clients.Table(table).CreateIfNotExistsAsync(cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another instance created it between the existence check and the create.
        }
    }
}
