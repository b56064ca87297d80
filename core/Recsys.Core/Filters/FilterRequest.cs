namespace Recsys.Core.Filters;

/// <summary>A user's most recent interactions, by event type, as filters see them (<c>Interactions.EVENT_TYPE</c>).</summary>
public interface IRecentInteractions
{
    /// <summary>The event types the user has interactions of.</summary>
    IReadOnlyCollection<string> EventTypes { get; }

    /// <summary>
    /// The item identifiers of the user's most recent interactions of <paramref name="eventType"/> (matched ignoring
    /// case), most recent first; empty when there are none.
    /// </summary>
    IReadOnlyList<string> ItemsFor(string eventType);
}

/// <summary>
/// <see cref="IRecentInteractions"/> built from a user's events, most recent first, keeping the most recent
/// <see cref="FilterLimits.DefaultInteractionsPerEventType"/> (or the given number) per event type, as Personalize does.
/// </summary>
public sealed class RecentInteractions : IRecentInteractions
{
    private readonly Dictionary<string, List<string>> _byType = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the history.</summary>
    /// <param name="events">The user's events as (item id, event type), most recent first.</param>
    /// <param name="perEventType">How many of the most recent interactions of each event type count.</param>
    public RecentInteractions(IEnumerable<(string ItemId, string EventType)> events, int perEventType = FilterLimits.DefaultInteractionsPerEventType)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perEventType);
        foreach (var (itemId, eventType) in events)
        {
            if (!_byType.TryGetValue(eventType, out var items))
            {
                items = [];
                _byType.Add(eventType, items);
            }

            if (items.Count < perEventType)
            {
                items.Add(itemId);
            }
        }
    }

    /// <summary>A user without interactions.</summary>
    public static RecentInteractions None { get; } = new([]);

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EventTypes => _byType.Keys;

    /// <inheritdoc/>
    public IReadOnlyList<string> ItemsFor(string eventType) => _byType.TryGetValue(eventType, out var items) ? items : [];
}

/// <summary>What one recommendation request gives a filter.</summary>
public sealed class FilterRequest
{
    /// <summary>The request's <c>filterValues</c>: parameter name (without <c>$</c>) → values, e.g. <c>"\"comedy\",\"drama\""</c>.</summary>
    public IReadOnlyDictionary<string, string>? FilterValues { get; init; }

    /// <summary>The request's user, for <c>IF CurrentUser</c> conditions.</summary>
    public string? UserId { get; init; }

    /// <summary>The user's most recent interactions, for <c>Interactions.EVENT_TYPE</c> conditions of ItemID filters.</summary>
    public IRecentInteractions? Interactions { get; init; }

    /// <summary>The request's item (related items), for <c>CurrentItem</c> operands.</summary>
    public string? CurrentItemId { get; init; }
}

/// <summary>The data a filter is compiled against.</summary>
/// <param name="Items">Item metadata, by the row indexes candidates use (required for ItemID filters; may hold identifiers only).</param>
/// <param name="Users">User metadata, for <c>IF CurrentUser</c> conditions and UserID (segment) filters.</param>
/// <param name="UserEventTypes">For UserID filters with <c>Interactions.EVENT_TYPE</c>: the event types each user (row of <paramref name="Users"/>) has interactions of.</param>
public sealed record FilterData(IAttributeIndex? Items, IAttributeIndex? Users = null, CategoricalField? UserEventTypes = null);
