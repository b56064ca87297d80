using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Recsys.Storage;

/// <summary>
/// The three service clients of one storage account, built once and shared (they are thread-safe). Every client retries
/// transient faults only (see <see cref="StorageOptions.MaxRetries"/>) with a short network timeout: a request that
/// storage rejects (4xx) fails at once, an outage is noticed within seconds.
/// </summary>
public sealed class StorageClients
{
    /// <summary>Builds the clients from <paramref name="options"/>.</summary>
    /// <param name="options">The account and the retry settings.</param>
    /// <param name="perAttemptPolicies">Policies run on every attempt of every request (telemetry, request counting in tests).</param>
    public StorageClients(StorageOptions options, params HttpPipelinePolicy[] perAttemptPolicies)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException(
                "No storage account is configured: set AzureWebJobsStorage to a connection string "
                + "(UseDevelopmentStorage=true for Azurite) or AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri.");
        }

        ArgumentNullException.ThrowIfNull(perAttemptPolicies);

        // Queue messages are base64, as the Functions queue extension expects by default.
        var queueOptions = Configure(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, options, options.NetworkTimeout, perAttemptPolicies);
        var blobOptions = Configure(new BlobClientOptions(), options, options.BlobNetworkTimeout, perAttemptPolicies);
        var tableOptions = Configure(new TableClientOptions(), options, options.NetworkTimeout, perAttemptPolicies);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            Blobs = new BlobServiceClient(options.ConnectionString, blobOptions);
            Queues = new QueueServiceClient(options.ConnectionString, queueOptions);
            Tables = new TableServiceClient(options.ConnectionString, tableOptions);
        }
        else
        {
            TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.ManagedIdentityClientId,
            });
            Blobs = new BlobServiceClient(options.BlobServiceUri, credential, blobOptions);
            Queues = new QueueServiceClient(options.QueueServiceUri, credential, queueOptions);
            Tables = new TableServiceClient(options.TableServiceUri, credential, tableOptions);
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

    private static T Configure<T>(T clientOptions, StorageOptions options, TimeSpan networkTimeout, HttpPipelinePolicy[] perAttemptPolicies)
        where T : ClientOptions
    {
        clientOptions.Retry.NetworkTimeout = networkTimeout;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.RetryPolicy = new TransientOnlyRetryPolicy(options.MaxRetries, options.RetryDelay, options.MaxRetryDelay);
        foreach (var policy in perAttemptPolicies)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        return clientOptions;
    }
}
