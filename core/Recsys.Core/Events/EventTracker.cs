using Recsys.Core.Resources;

namespace Recsys.Core.Events;

/// <summary>
/// An event tracker (Personalize's EventTracker): the credential-free handle an application puts in its PutEvents
/// calls. A dataset group has at most one; its <see cref="TrackingId"/> says which dataset group the events go to.
/// </summary>
/// <param name="Name">Unique name.</param>
/// <param name="DatasetGroup">The dataset group that receives the tracker's events.</param>
/// <param name="TrackingId">Random identifier (a GUID) sent with every PutEvents call.</param>
/// <param name="State">Lifecycle state.</param>
public sealed record EventTracker(string Name, string DatasetGroup, string TrackingId, ResourceState State) : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "event-tracker";

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);

    /// <summary>The ARN of the dataset group.</summary>
    public string DatasetGroupArn => ResourceArn.For(DatasetGroups.DatasetGroup.ResourceType, DatasetGroup);
}

/// <summary>Where a tracking ID leads: the tracker and its dataset group.</summary>
/// <param name="TrackingId">The tracking ID.</param>
/// <param name="DatasetGroup">The dataset group that receives the events.</param>
/// <param name="TrackerName">The event tracker's name.</param>
public sealed record TrackingIdEntry(string TrackingId, string DatasetGroup, string TrackerName);

/// <summary>
/// The two lookups event trackers need besides their records, each one point read: the tracker of a dataset group
/// (which also enforces one tracker per group) and the dataset group of a tracking ID (every PutEvents call).
/// </summary>
public interface IEventTrackerIndex
{
    /// <summary>
    /// Records <paramref name="trackerName"/> as the dataset group's tracker unless it already has one, atomically;
    /// returns the name of the tracker already recorded, or null when the claim succeeded.
    /// </summary>
    Task<string?> ClaimDatasetGroupAsync(string datasetGroup, string trackerName, CancellationToken cancellationToken = default);

    /// <summary>The name of the dataset group's tracker, or null.</summary>
    Task<string?> FindByDatasetGroupAsync(string datasetGroup, CancellationToken cancellationToken = default);

    /// <summary>Removes the dataset group's claim if it is <paramref name="trackerName"/>'s; does nothing otherwise.</summary>
    Task ReleaseDatasetGroupAsync(string datasetGroup, string trackerName, CancellationToken cancellationToken = default);

    /// <summary>Records where <see cref="TrackingIdEntry.TrackingId"/> leads.</summary>
    Task AddTrackingIdAsync(TrackingIdEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Where the tracking ID leads, or null when no tracker has it.</summary>
    Task<TrackingIdEntry?> FindByTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default);

    /// <summary>Forgets a tracking ID; does nothing when it is unknown.</summary>
    Task RemoveTrackingIdAsync(string trackingId, CancellationToken cancellationToken = default);
}
