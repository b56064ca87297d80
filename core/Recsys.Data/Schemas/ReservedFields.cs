namespace Recsys.Data.Schemas;

/// <summary>Names of Personalize's reserved fields.</summary>
public static class ReservedFields
{
    /// <summary>User identifier (string; required in Interactions and Users).</summary>
    public const string UserId = "USER_ID";

    /// <summary>Item identifier (string; required in Interactions and Items).</summary>
    public const string ItemId = "ITEM_ID";

    /// <summary>Interaction time in Unix epoch seconds (long; required in Interactions).</summary>
    public const string Timestamp = "TIMESTAMP";

    /// <summary>Event type such as <c>click</c> or <c>purchase</c> (string, not categorical).</summary>
    public const string EventType = "EVENT_TYPE";

    /// <summary>Event value such as a rating or a price (float).</summary>
    public const string EventValue = "EVENT_VALUE";

    /// <summary>Items shown with the interaction, <c>|</c>-separated item ids (nullable string).</summary>
    public const string Impression = "IMPRESSION";

    /// <summary>The recommendation the interaction came from (nullable string).</summary>
    public const string RecommendationId = "RECOMMENDATION_ID";

    /// <summary>Where the event came from, for metric attribution (nullable string).</summary>
    public const string EventAttributionSource = "EVENT_ATTRIBUTION_SOURCE";

    /// <summary>Item creation time in Unix epoch seconds (long; Items).</summary>
    public const string CreationTimestamp = "CREATION_TIMESTAMP";
}
