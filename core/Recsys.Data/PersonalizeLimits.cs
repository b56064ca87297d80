namespace Recsys.Data;

/// <summary>
/// Amazon Personalize's current data limits that Recsys enforces (developer guide <c>limits.html</c> and the
/// <c>CreateSchema</c>, <c>PutItems</c> and <c>PutUsers</c> API references).
/// </summary>
public static class PersonalizeLimits
{
    /// <summary>Maximum length of a schema document, in characters.</summary>
    public const int MaxSchemaLength = 20_000;

    /// <summary>Maximum length of a <c>USER_ID</c> or <c>ITEM_ID</c> value.</summary>
    public const int MaxIdLength = 256;

    /// <summary>Maximum length of a categorical value (the whole cell, including <c>|</c> separators).</summary>
    public const int MaxCategoricalValueLength = 1_000;

    /// <summary>Maximum length of a non-categorical, non-textual string value, and of an <c>IMPRESSION</c> value.</summary>
    public const int MaxStringValueLength = 1_000;

    /// <summary>Length at which textual values are truncated, as Personalize does (7,000 for Chinese and Japanese is not applied).</summary>
    public const int MaxTextualValueLength = 20_000;

    /// <summary>Maximum number of non-reserved (contextual metadata) fields in an Interactions schema.</summary>
    public const int MaxInteractionsMetadataFields = 5;

    /// <summary>Maximum number of metadata fields in an Items schema.</summary>
    public const int MaxItemsMetadataFields = 100;

    /// <summary>Maximum number of metadata fields in a Users schema.</summary>
    public const int MaxUsersMetadataFields = 25;

    /// <summary>Maximum number of textual fields in an Items schema.</summary>
    public const int MaxTextualFields = 1;
}
