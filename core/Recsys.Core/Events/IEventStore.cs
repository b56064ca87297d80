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

    /// <summary>Every stored event of the dataset group, grouped by user or session, for training.</summary>
    IAsyncEnumerable<InteractionEvent> ReadAllAsync(string datasetGroup, CancellationToken cancellationToken = default);
}
