using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Recsys.Storage;

/// <summary>The three service clients of one storage account, built once and shared (they are thread-safe).</summary>
public sealed class StorageClients
{
    /// <summary>Builds the clients from <paramref name="options"/>.</summary>
    public StorageClients(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException(
                "No storage account is configured: set AzureWebJobsStorage to a connection string "
                + "(UseDevelopmentStorage=true for Azurite) or AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri.");
        }

        // Queue messages are base64, as the Functions queue extension expects by default.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            Blobs = new BlobServiceClient(options.ConnectionString);
            Queues = new QueueServiceClient(options.ConnectionString, queueOptions);
            Tables = new TableServiceClient(options.ConnectionString);
        }
        else
        {
            TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.ManagedIdentityClientId,
            });
            Blobs = new BlobServiceClient(options.BlobServiceUri, credential);
            Queues = new QueueServiceClient(options.QueueServiceUri, credential, queueOptions);
            Tables = new TableServiceClient(options.TableServiceUri, credential);
        }
    }

    /// <summary>Blob service.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>Queue service (base64 messages).</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>Table service.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>A container client.</summary>
    public BlobContainerClient Container(string name) => Blobs.GetBlobContainerClient(name);

    /// <summary>A queue client.</summary>
    public QueueClient Queue(string name) => Queues.GetQueueClient(name);

    /// <summary>A table client.</summary>
    public TableClient Table(string name) => Tables.GetTableClient(name);
}
