namespace Recsys.Data.Schemas;

/// <summary>The kind of dataset a schema describes, as in Amazon Personalize's custom dataset groups.</summary>
public enum DatasetType
{
    /// <summary>Item interactions: who did what with which item, and when.</summary>
    Interactions,

    /// <summary>Item metadata: categories, numbers and at most one text field per item.</summary>
    Items,

    /// <summary>User metadata: categories and numbers per user.</summary>
    Users,
}
