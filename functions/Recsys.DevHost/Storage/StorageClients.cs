using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Recsys.DevHost.Hosting;

namespace Recsys.DevHost.Storage;

/// <summary>
/// Blob and queue clients for the app's <c>AzureWebJobsStorage</c> (or another connection setting a binding names).
/// SDK retries are kept short: the background loops do their own back-off and report outages themselves.
/// </summary>
internal sealed class StorageClients
{
    public const string HostContainer = "azure-webjobs-hosts";
    private readonly AppSettings _settings;
    private readonly bool _base64;

    public StorageClients(AppSettings settings, WorkerApp app)
    {
        _settings = settings;
        _base64 = app.HostJson.Queues.Base64;
    }

    public string ConnectionString(string connection = "AzureWebJobsStorage")
    {
        var value = _settings[connection];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                _settings[connection + "__blobServiceUri"] is not null || _settings[connection + "__accountName"] is not null
                    ? $"'{connection}' is an identity-based connection; the dev host needs a connection string (or UseDevelopmentStorage=true)."
                    : $"The connection setting '{connection}' is not set.");
        }

        return value;
    }

    public BlobContainerClient Container(string name, string connection = "AzureWebJobsStorage")
        => new(ConnectionString(connection), name, Configure(new BlobClientOptions()));

    public BlobServiceClient BlobService(string connection = "AzureWebJobsStorage")
        => new(ConnectionString(connection), Configure(new BlobClientOptions()));

    public QueueClient Queue(string name, string connection = "AzureWebJobsStorage")
    {
        var options = Configure(new QueueClientOptions());
        options.MessageEncoding = _base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None;
        return new QueueClient(ConnectionString(connection), name, options);
    }

    private static T Configure<T>(T options)
        where T : ClientOptions
    {
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }
}
