using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Recsys.Core.Jobs;

namespace Recsys.Storage;

/// <summary>
/// Turns every version (ETag) of a file dropped into the imports container into exactly one import message. Event
/// Grid (through the blob trigger) reports new files, and the sweep timer re-lists the container so that a missed or
/// dead-lettered event never loses a file; both come here. A receipt per (blob, ETag) in Table Storage makes this
/// hold across restarts, redeliveries and instances: the receipt is claimed first (insert-if-absent), then the
/// message is sent, then the receipt is marked sent; a claim left unsent by a crash is sent by a later call once its
/// grace period is over. The import itself is idempotent per blob version as well.
/// </summary>
public sealed class ImportDropDispatcher(StorageClients storage, IJobScheduler queue, TimeProvider time)
{
    private const string Partition = StorageNames.ImportsContainer;

    /// <summary>How long a claimed but unsent receipt belongs to its claimant.</summary>
    public static readonly TimeSpan ClaimGrace = TimeSpan.FromSeconds(30);

    // Receipts known to be sent: spares a table read per blob per sweep.
    private readonly ConcurrentDictionary<string, byte> _sent = new(StringComparer.Ordinal);

    /// <summary>Queues the import of one blob version unless it was queued before; returns whether this call queued it.</summary>
    public async Task<bool> DispatchAsync(string blobName, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        etag = etag.Trim('"');
        var key = ReceiptKey(blobName, etag);
        if (_sent.ContainsKey(key))
        {
            return false;
        }

        var receipts = storage.Table(StorageNames.BlobReceiptsTable);
        var existing = await receipts.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: cancellationToken);
        TableEntity receipt;
        if (existing.HasValue)
        {
            receipt = existing.Value!;
            if (receipt.GetBoolean("Sent") == true)
            {
                _sent.TryAdd(key, 0);
                return false;
            }

            // Claimed but never marked sent: only take it over once its claimant has had time to finish.
            if (receipt.Timestamp is { } claimedAt && time.GetUtcNow() - claimedAt < ClaimGrace)
            {
                return false;
            }
        }
        else
        {
            receipt = new TableEntity(Partition, key) { ["Blob"] = blobName, ["ETag"] = etag, ["Sent"] = false };
            try
            {
                var added = await receipts.AddEntityAsync(receipt, cancellationToken);
                receipt.ETag = added.Headers.ETag ?? ETag.All;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                return false; // another caller claimed it
            }
        }

        await queue.SendAsync(new ImportJobMessage(blobName, etag, null), cancellationToken: cancellationToken);
        receipt["Sent"] = true;
        receipt["SentAt"] = time.GetUtcNow();
        try
        {
            await receipts.UpdateEntityAsync(receipt, receipt.ETag, TableUpdateMode.Replace, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Another caller took over this claim and sent it too; the import is idempotent per (blob, ETag).
        }

        _sent.TryAdd(key, 0);
        return true;
    }

    /// <summary>Lists the imports container and dispatches every blob version not dispatched yet; returns how many it queued.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var queued = 0;
        await foreach (var blob in storage.Container(StorageNames.ImportsContainer).GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (await DispatchAsync(blob.Name, blob.Properties.ETag?.ToString() ?? string.Empty, cancellationToken))
            {
                queued++;
            }
        }

        return queued;
    }

    /// <summary>Key of the receipt for one blob version.</summary>
    public static string ReceiptKey(string blobName, string etag)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobName + "\n" + etag.Trim('"'))));
}
