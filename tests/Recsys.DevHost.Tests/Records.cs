using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace Recsys.DevHost.Tests;

/// <summary>Reads what the fixture worker's functions recorded (<c>records/{kind}/{key}/…</c>).</summary>
internal static class Records
{
    public static async Task<IReadOnlyList<JsonObject>> ReadAsync(string storage, string kind, string key)
    {
        var container = new BlobContainerClient(storage, "records");
        if (!await container.ExistsAsync())
        {
            return [];
        }

        var records = new List<JsonObject>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{kind}/{key}/", CancellationToken.None))
        {
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
            records.Add(JsonNode.Parse(content.Value.Content.ToString())!.AsObject());
        }

        return records;
    }
}
