using Azure;
using Azure.Data.Tables;
using Recsys.Core.Events;

namespace Recsys.Storage.Events;

/// <summary>
/// <see cref="IEventTrackerIndex"/> in the event trackers table, beside the tracker records (partition <c>_</c>):
/// one row per dataset group in partition <c>_by-dataset-group</c> (its insert is the one-tracker-per-group claim) and
/// one row per tracking ID in partition <c>_by-tracking-id</c> (the PutEvents lookup).
/// </summary>
public sealed class TableEventTrackerIndex(TableClient table) : IEventTrackerIndex
{
    private const string ByDatasetGroup = "_by-dataset-group";
    private const string ByTrackingId = "_by-tracking-id";
    private const string TrackerColumn = "TrackerName";
    private const string DatasetGroupColumn = "DatasetGroup";

    /// <inheritdoc />
    public async Task<string?> ClaimDatasetGroupAsync(string datasetGroup, string trackerName, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                await table.AddEntityAsync(new TableEntity(ByDatasetGroup, datasetGroup) { [TrackerColumn] = trackerName }, cancellationToken);
                return null;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Taken; unless it was released since, in which case try again.
                if (await FindByDatasetGroupAsync(datasetGroup, cancellationToken) is { } existing)
                {
                    return existing;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<string?> FindByDatasetGroupAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ByDatasetGroup, datasetGroup, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString(TrackerColumn) : null;
    }

    /// <inheritdoc />
    public async Task ReleaseDatasetGroupAsync(string datasetGroup, string trackerName, CancellationToken cancellationToken = default)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ByDatasetGroup, datasetGroup, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value!.GetString(TrackerColumn) != trackerName)
        {
            return;
        }

        try
        {
            await table.DeleteEntityAsync(ByDatasetGroup, datasetGroup, row.Value.ETag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Someone else released or re-claimed it in between: it is not ours any more.
        }
    }

    /// <inheritdoc />
    public async Task AddTrackingIdAsync(TrackingIdEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await table.UpsertEntityAsync(
            new TableEntity(ByTrackingId, TableKeys.Escape(entry.TrackingId)) { [DatasetGroupColumn] = entry.DatasetGroup, [TrackerColumn] = entry.TrackerName },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<TrackingIdEntry?> FindByTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => FindByTrackingIdCoreAsync(trackingId, cancellationToken), cancellationToken);

    private async Task<TrackingIdEntry?> FindByTrackingIdCoreAsync(string trackingId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ByTrackingId, TableKeys.Escape(trackingId), cancellationToken: cancellationToken);
        return row.HasValue
            ? new TrackingIdEntry(trackingId, row.Value!.GetString(DatasetGroupColumn), row.Value.GetString(TrackerColumn))
            : null;
    }

    /// <inheritdoc />
    public async Task RemoveTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default)
        => await table.DeleteEntityAsync(ByTrackingId, TableKeys.Escape(trackingId), ETag.All, cancellationToken);
}
