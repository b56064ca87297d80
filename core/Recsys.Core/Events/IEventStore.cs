namespace Recsys.Core.Events;

/// <summary>
/// Persistence seam for real-time events. Events are kept per dataset group and per user (or anonymous session), with
/// that user's recent history readable in one point read for real-time recommendations, and every event readable by
/// training.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Stores the events of one user or session durably and atomically, together with the updated history; an event
    /// whose id is already stored for that user or session is skipped, so a retried call is counted once.
    /// </summary>
    /// <param name="datasetGroup">The dataset group.</param>
    /// <param name="userOrSessionId">Whose events these are: every event's <see cref="InteractionEvent.HistoryKey"/>.</param>
    /// <param name="events">1 to 10 events with distinct ids.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<EventAppendResult> AppendAsync(string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default);

    /// <summary>The user's (or anonymous session's) most recent events, newest last; empty when there are none.</summary>
    Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The stored events of the dataset group received in (<paramref name="receivedAfter"/>, <paramref name="receivedThrough"/>]
    /// (null: unbounded), grouped by user or session, for training, compaction and exports.
    /// </summary>
    IAsyncEnumerable<InteractionEvent> ReadAllAsync(
        string datasetGroup, DateTimeOffset? receivedAfter = null, DateTimeOffset? receivedThrough = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Which users of the dataset group may have a history (<see cref="HistoryMarks"/>: every user is marked before
    /// their first history is written), or null when the store does not know (yet). A non-null answer holds every
    /// mark stored before the call started, so a clear bucket proves that no history written before then exists.
    /// </summary>
    Task<HistoryMarks?> ReadHistoryMarksAsync(string datasetGroup, CancellationToken cancellationToken = default)
        => Task.FromResult<HistoryMarks?>(null);

    /// <summary>
    /// Deletes the event rows of the dataset group received up to <paramref name="receivedThrough"/> (after compaction
    /// moved them into a segment); histories stay, so serving is unaffected. Returns the events deleted.
    /// </summary>
    Task<long> DeleteEventsAsync(string datasetGroup, DateTimeOffset receivedThrough, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a user's data (a data deletion job): their history becomes empty and marked deleted at
    /// <paramref name="deletedAt"/> (in the same write, so serving sees the deletion at once), then their stored events go.
    /// Events sent later are kept as usual. Returns the events deleted.
    /// </summary>
    Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default);
}
