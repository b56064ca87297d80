using System.Text.Json;

namespace Recsys.Core.Events;

/// <summary>The PutEvents use case: validate the call, find the tracker's dataset group, store the events durably.</summary>
public sealed class EventService(EventTrackerService trackers, IEventStore events)
{
    /// <summary>
    /// Records a PutEvents call. When it returns, the events are durable and in the user's (or session's) history.
    /// </summary>
    /// <param name="body">The PutEvents JSON body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="Errors.InvalidInputException">The body breaks a rule; nothing was stored.</exception>
    /// <exception cref="Errors.ResourceNotFoundException">No event tracker has the tracking ID; nothing was stored.</exception>
    public async Task<EventAppendResult> PutEventsAsync(JsonElement body, CancellationToken cancellationToken = default)
    {
        var request = PutEventsRequest.Parse(body);
        var datasetGroup = await trackers.ResolveTrackingIdAsync(request.TrackingId, cancellationToken);
        return await events.AppendAsync(datasetGroup, request.HistoryKey, request.Events, cancellationToken);
    }

    /// <summary>The user's (or anonymous session's) recent events, newest last.</summary>
    public Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
        => events.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
}
