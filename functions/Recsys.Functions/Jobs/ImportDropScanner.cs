using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Recsys.Functions.LocalHost;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// Makes sure every blob version (each ETag) in the imports container becomes exactly one
/// <c>Microsoft.Storage.BlobCreated</c> event on the import-jobs queue. In Azure, Event Grid sends those events and
/// this scan, run by the <c>importSweepTimer</c>, catches what it missed (files dropped before the subscription
/// existed, dead-lettered deliveries); locally it stands in for Event Grid every few seconds. A receipt per
/// (blob, ETag) in Table Storage makes this hold across restarts and several instances: the receipt is claimed first
/// (insert-if-absent), then the event is sent, then the receipt is marked sent; a claim left unsent by a crash is
/// sent again by a later scan after a grace period.
/// </summary>
internal sealed class ImportDropScanner(StorageClients storage, TimeProvider time, ILogger<ImportDropScanner> logger) : IDisposable
{
    private const string Partition = StorageNames.ImportsContainer;
    private static readonly TimeSpan s_claimGrace = TimeSpan.FromSeconds(30);

    // Receipts already known to be sent: spares a table read per blob per scan.
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneScanAtATime = new(1, 1);

    public void Dispose() => _oneScanAtATime.Dispose();

    /// <summary>One pass over the imports container; returns how many events it sent.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        await _oneScanAtATime.WaitAsync(cancellationToken);
        try
        {
            return await ScanAsync(cancellationToken);
        }
        finally
        {
            _oneScanAtATime.Release();
        }
    }

    private async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        var queued = 0;
        var container = storage.Container(StorageNames.ImportsContainer);
        var receipts = storage.Table(StorageNames.BlobReceiptsTable);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var etag = blob.Properties.ETag?.ToString().Trim('"') ?? string.Empty;
            var key = ReceiptKey(blob.Name, etag);
            if (_sent.Contains(key))
            {
                continue;
            }

            var existing = await receipts.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: cancellationToken);
            TableEntity receipt;
            if (existing.HasValue)
            {
                receipt = existing.Value!;
                if (receipt.GetBoolean("Sent") == true)
                {
                    _sent.Add(key);
                    continue;
                }

                // Claimed but never marked sent: only take it over once its claimant has had time to finish.
                if (receipt.Timestamp is { } claimedAt && time.GetUtcNow() - claimedAt < s_claimGrace)
                {
                    continue;
                }
            }
            else
            {
                receipt = new TableEntity(Partition, key) { ["Blob"] = blob.Name, ["ETag"] = etag, ["Sent"] = false };
                try
                {
                    var added = await receipts.AddEntityAsync(receipt, cancellationToken);
                    receipt.ETag = added.Headers.ETag ?? ETag.All;
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    continue; // another host claimed it
                }
            }

            var blobEvent = BlobCreatedEvent(container.Uri, blob.Name, etag, blob.Properties.ContentLength ?? 0, blob.Properties.ContentType, key);
            await storage.Queue(StorageNames.ImportJobsQueue).SendMessageAsync(blobEvent.ToJsonString(), cancellationToken);
            receipt["Sent"] = true;
            receipt["SentAt"] = time.GetUtcNow();
            try
            {
                await receipts.UpdateEntityAsync(receipt, receipt.ETag, TableUpdateMode.Replace, CancellationToken.None);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another host took over this claim and sent it too; the import job is idempotent per (blob, ETag).
            }

            _sent.Add(key);
            queued++;
            Log.BlobQueued(logger, blob.Name, etag);
        }

        return queued;
    }

    /// <summary>Records that a blob version reached the import queue by another route (Event Grid).</summary>
    public async Task RecordReceiptAsync(string blobName, string etag, CancellationToken cancellationToken)
    {
        var receipt = new TableEntity(Partition, ReceiptKey(blobName, etag)) { ["Blob"] = blobName, ["ETag"] = etag, ["Sent"] = true, ["SentAt"] = time.GetUtcNow() };
        await storage.Table(StorageNames.BlobReceiptsTable).UpsertEntityAsync(receipt, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Key of the receipt for one blob version.</summary>
    public static string ReceiptKey(string blobName, string etag)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobName + "\n" + etag)));

    /// <summary>The event Event Grid delivers for a new blob in the imports container.</summary>
    public static JsonObject BlobCreatedEvent(Uri containerUri, string blobName, string etag, long length, string? contentType, string id)
        => new()
        {
            ["topic"] = "/local/storageAccounts/devstoreaccount1",
            ["subject"] = $"/blobServices/default/containers/{StorageNames.ImportsContainer}/blobs/{blobName}",
            ["eventType"] = "Microsoft.Storage.BlobCreated",
            ["id"] = id,
            ["data"] = new JsonObject
            {
                ["api"] = "PutBlob",
                ["eTag"] = etag,
                ["contentType"] = contentType ?? "application/octet-stream",
                ["contentLength"] = length,
                ["blobType"] = "BlockBlob",
                ["url"] = containerUri.AbsoluteUri.TrimEnd('/') + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString)),
            },
            ["dataVersion"] = string.Empty,
            ["metadataVersion"] = "1",
            ["eventTime"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
}
