using System.Text.Json;
using Recsys.Core.Telemetry;

namespace Recsys.Core.Events;

/// <summary>The PutEvents use case: validate the call, find the tracker's dataset group, store the events durably.</summary>
/// <param name="trackers">Resolves tracking IDs.</param>
/// <param name="events">Stores the events.</param>
/// <param name="metrics">Records <c>recsys.events.ingested</c>; <see cref="RecsysMetrics.Default"/> when null.</param>
public sealed class EventService(EventTrackerService trackers, IEventStore events, RecsysMetrics? metrics = null)
{
    private readonly RecsysMetrics _metrics = metrics ?? RecsysMetrics.Default;

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
        var result = await events.AppendAsync(datasetGroup, request.HistoryKey, request.Events, cancellationToken);
        _metrics.EventsIngested(result.Stored, result.Duplicates);
        return result;
    }

    /// <summary>The user's (or anonymous session's) recent events, newest last.</summary>
    public Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
        => events.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
}
