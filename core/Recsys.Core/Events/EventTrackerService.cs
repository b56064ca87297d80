using System.Collections.Concurrent;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Errors;
using Recsys.Core.Resources;

namespace Recsys.Core.Events;

/// <summary>
/// Use cases for event trackers: create (one per dataset group, with a random tracking ID), describe, list, delete,
/// and resolving a tracking ID to its dataset group for PutEvents.
/// </summary>
/// <remarks>
/// A tracker is three rows in two partitions, so they are written in an order that keeps every crash recoverable:
/// create writes the record (CREATE IN_PROGRESS), then the dataset group's claim, then the tracking ID, then marks the
/// record ACTIVE; delete marks the record DELETE PENDING, removes the tracking ID (events stop), the claim, then the
/// record. A half-created or half-deleted tracker is visible as such and can be deleted again.
/// Tracking IDs that resolved are remembered for <see cref="TrackingIdCacheDuration"/>, which saves PutEvents a
/// storage read; a tracker deleted through another instance can therefore take events that long after its deletion.
/// </remarks>
public sealed class EventTrackerService(
    IResourceStore<EventTracker> store,
    IEventTrackerIndex index,
    IResourceStore<DatasetGroup> groups,
    TimeProvider timeProvider)
{
    private const string Scope = IResourceStore<EventTracker>.GlobalScope;
    private const string Kind = "event tracker";
    private const int MaxCachedTrackingIds = 10_000;

    private readonly ConcurrentDictionary<string, (string DatasetGroup, DateTimeOffset Expires)> _trackingIds = new(StringComparer.Ordinal);

    /// <summary>How long a resolved tracking ID is remembered (30 seconds).</summary>
    public static TimeSpan TrackingIdCacheDuration { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Creates the dataset group's event tracker.</summary>
    /// <exception cref="LimitExceededException">The dataset group already has an event tracker.</exception>
    public async Task<Stored<EventTracker>> CreateAsync(string? name, string? datasetGroupArn, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(name) is { } nameProblem)
        {
            errors["name"] = [nameProblem];
        }

        if (string.IsNullOrWhiteSpace(datasetGroupArn))
        {
            errors["datasetGroupArn"] = ["A dataset group name or ARN is required."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The event tracker request is invalid.", errors);
        }

        var groupName = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        var group = await groups.GetAsync(IResourceStore<DatasetGroup>.GlobalScope, groupName, "dataset group", cancellationToken);
        if (group.Value.State.Status != ResourceStatus.Active)
        {
            throw new ResourceInUseException($"The dataset group '{group.Value.Name}' is {group.Value.State.Status}.");
        }

        var now = timeProvider.GetUtcNow();
        var tracker = new EventTracker(name!, group.Value.Name, Guid.NewGuid().ToString(), ResourceState.New(ResourceStatus.CreateInProgress, now));
        var created = await store.CreateAsync(Scope, tracker.Name, tracker, cancellationToken);

        var claimed = false;
        var tracked = false;
        try
        {
            var existing = await index.ClaimDatasetGroupAsync(tracker.DatasetGroup, tracker.Name, cancellationToken);
            if (existing is not null)
            {
                throw new LimitExceededException(
                    $"The dataset group '{tracker.DatasetGroup}' already has the event tracker '{existing}'; a dataset group has at most one.");
            }

            claimed = true;
            await index.AddTrackingIdAsync(new TrackingIdEntry(tracker.TrackingId, tracker.DatasetGroup, tracker.Name), cancellationToken);
            tracked = true;
            var active = tracker with { State = tracker.State.MoveTo(Kind, tracker.Name, ResourceStatus.Active, timeProvider.GetUtcNow()) };
            return await store.ReplaceAsync(Scope, tracker.Name, active, created.ETag, cancellationToken);
        }
        catch
        {
            // Undo in the reverse order; what cannot be undone stays visible as a CREATE IN_PROGRESS tracker to delete.
            if (tracked)
            {
                await index.RemoveTrackingIdAsync(tracker.TrackingId, CancellationToken.None);
            }

            if (claimed)
            {
                await index.ReleaseDatasetGroupAsync(tracker.DatasetGroup, tracker.Name, CancellationToken.None);
            }

            await store.DeleteAsync(Scope, tracker.Name, null, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Reads an event tracker by name or ARN.</summary>
    public Task<Stored<EventTracker>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
        => store.GetAsync(Scope, ResourceArn.Resolve(EventTracker.ResourceType, identifier, "eventTrackerArn"), Kind, cancellationToken);

    /// <summary>
    /// Lists event trackers by name, or only the dataset group's (at most one) when <paramref name="datasetGroupArn"/>
    /// is given.
    /// </summary>
    public async Task<ResourcePage<EventTracker>> ListAsync(
        string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var pageSize = Paging.PageSize(maxResults);
        if (datasetGroupArn is null)
        {
            return await store.ListAsync(Scope, pageSize, nextToken, cancellationToken);
        }

        var group = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        var name = await index.FindByDatasetGroupAsync(group, cancellationToken);
        var tracker = name is null || nextToken is not null ? null : await store.FindAsync(Scope, name, cancellationToken);
        return new ResourcePage<EventTracker>(tracker is null ? [] : [tracker.Value], null);
    }

    /// <summary>Deletes an event tracker. Events it recorded stay in the dataset group.</summary>
    public async Task DeleteAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var stored = await DescribeAsync(identifier, cancellationToken);
        var tracker = stored.Value;
        var etag = stored.ETag;
        if (tracker.State.Status == ResourceStatus.CreateInProgress)
        {
            // A create that stopped half-way (the process died): record why before deleting it.
            var failed = tracker with { State = tracker.State.MoveTo(Kind, tracker.Name, ResourceStatus.CreateFailed, timeProvider.GetUtcNow(), "Creation was interrupted.") };
            etag = (await store.ReplaceAsync(Scope, tracker.Name, failed, etag, cancellationToken)).ETag;
            tracker = failed;
        }

        if (tracker.State.Status != ResourceStatus.DeletePending)
        {
            var deleting = tracker with { State = tracker.State.MoveTo(Kind, tracker.Name, ResourceStatus.DeletePending, timeProvider.GetUtcNow()) };
            etag = (await store.ReplaceAsync(Scope, tracker.Name, deleting, etag, cancellationToken)).ETag;
        }

        await index.RemoveTrackingIdAsync(tracker.TrackingId, cancellationToken);
        _trackingIds.TryRemove(tracker.TrackingId, out _);
        await index.ReleaseDatasetGroupAsync(tracker.DatasetGroup, tracker.Name, cancellationToken);
        await store.DeleteAsync(Scope, tracker.Name, etag, cancellationToken);
    }

    /// <summary>The dataset group a tracking ID sends events to.</summary>
    /// <exception cref="ResourceNotFoundException">No event tracker has this tracking ID.</exception>
    public async Task<string> ResolveTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trackingId);
        var now = timeProvider.GetUtcNow();
        if (_trackingIds.TryGetValue(trackingId, out var cached) && cached.Expires > now)
        {
            return cached.DatasetGroup;
        }

        var entry = await index.FindByTrackingIdAsync(trackingId, cancellationToken)
            ?? throw new ResourceNotFoundException("event tracker with trackingId", trackingId);
        if (_trackingIds.Count >= MaxCachedTrackingIds)
        {
            _trackingIds.Clear();
        }

        _trackingIds[trackingId] = (entry.DatasetGroup, now + TrackingIdCacheDuration);
        return entry.DatasetGroup;
    }
}
