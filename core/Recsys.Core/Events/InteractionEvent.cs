namespace Recsys.Core.Events;

/// <summary>One event recorded with PutEvents, as stored: a row of the dataset group's real-time interactions.</summary>
/// <param name="EventId">Unique within the user's (or session's) events; the sender's, or derived from the content.</param>
/// <param name="EventType">The kind of interaction, e.g. <c>click</c> (EVENT_TYPE).</param>
/// <param name="ItemId">The item interacted with (ITEM_ID).</param>
/// <param name="SentAt">When the interaction happened (TIMESTAMP).</param>
/// <param name="UserId">The user, or null for an anonymous session.</param>
/// <param name="SessionId">The session the event belongs to.</param>
/// <param name="EventValue">Optional value such as a rating (EVENT_VALUE).</param>
/// <param name="Properties">Contextual metadata as the JSON object the sender gave, or null.</param>
/// <param name="RecommendationId">The recommendation that led to the event (RECOMMENDATION_ID), or null.</param>
/// <param name="Impression">Items shown with the interaction (IMPRESSION); empty when none.</param>
/// <param name="EventAttributionSource">Metric attribution source (EVENT_ATTRIBUTION_SOURCE), or null.</param>
public sealed record InteractionEvent(
    string EventId,
    string EventType,
    string ItemId,
    DateTimeOffset SentAt,
    string? UserId,
    string SessionId,
    float? EventValue = null,
    string? Properties = null,
    string? RecommendationId = null,
    IReadOnlyList<string>? Impression = null,
    string? EventAttributionSource = null)
{
    /// <summary>Whose history the event extends: the user, or the session when the user is anonymous.</summary>
    public string HistoryKey => UserId ?? SessionId;
}

/// <summary>One entry of a user's (or session's) recent history.</summary>
/// <param name="EventId">The event's id.</param>
/// <param name="ItemId">The item.</param>
/// <param name="EventType">The kind of interaction.</param>
/// <param name="EventValue">The event value, if any.</param>
/// <param name="Timestamp">When the interaction happened.</param>
/// <param name="RecommendationId">The recommendation that led to it, if any.</param>
/// <param name="Impression">Items shown with it, if any.</param>
public sealed record HistoryEvent(
    string EventId,
    string ItemId,
    string EventType,
    float? EventValue,
    DateTimeOffset Timestamp,
    string? RecommendationId = null,
    IReadOnlyList<string>? Impression = null);

/// <summary>The most recent events of one user or anonymous session, oldest first (newest last).</summary>
/// <param name="UserOrSessionId">The user ID, or the session ID of an anonymous session.</param>
/// <param name="Events">At most the configured number of events, ordered by timestamp.</param>
/// <param name="DeletedAt">
/// When a data deletion job deleted the user's data, or null. Only events sent after that are in <paramref name="Events"/>,
/// and serving treats the user as new: nothing a model learned of them before the deletion is used.
/// </param>
public sealed record EventHistory(string UserOrSessionId, IReadOnlyList<HistoryEvent> Events, DateTimeOffset? DeletedAt = null);

/// <summary>What an append stored.</summary>
/// <param name="Stored">Events written now.</param>
/// <param name="Duplicates">Events skipped because an event with the same id was already stored (a retried call).</param>
public sealed record EventAppendResult(int Stored, int Duplicates);
