using System.Text.Json;
using Azure.Storage.Blobs;

namespace Recsys.DevHost.TestWorker;

/// <summary>
/// What the functions received, written to the <c>records</c> container as <c>{kind}/{key}/{guid}.json</c> so that a
/// test reads back exactly what reached the worker (and how often).
/// </summary>
internal static class Records
{
    public const string Container = "records";

    public static async Task WriteAsync(string kind, string key, object record, CancellationToken cancellationToken)
    {
        var connection = Environment.GetEnvironmentVariable("AzureWebJobsStorage")
            ?? throw new InvalidOperationException("AzureWebJobsStorage is not set.");
        var container = new BlobContainerClient(connection, Container);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient($"{kind}/{key}/{Guid.NewGuid():N}.json");
        await blob.UploadAsync(BinaryData.FromString(JsonSerializer.Serialize(record)), cancellationToken);
    }
}
