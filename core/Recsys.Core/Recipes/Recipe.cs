namespace Recsys.Core.Recipes;

/// <summary>Recipe types, with Personalize's names.</summary>
public static class RecipeType
{
    /// <summary>Top-N items for a user.</summary>
    public const string UserPersonalization = "USER_PERSONALIZATION";

    /// <summary>Re-ranks a given list of items for a user.</summary>
    public const string PersonalizedRanking = "PERSONALIZED_RANKING";

    /// <summary>The same popular or trending items for everyone.</summary>
    public const string PopularItems = "POPULAR_ITEMS";

    /// <summary>Items related to a given item.</summary>
    public const string RelatedItems = "RELATED_ITEMS";

    /// <summary>Users most likely to interact with an item or an item attribute value (batch segment jobs).</summary>
    public const string UserSegmentation = "USER_SEGMENTATION";
}

/// <summary>The value type of a hyperparameter.</summary>
public enum HyperparameterKind
{
    /// <summary>A whole number within <see cref="HyperparameterDefinition.MinValue"/>..<see cref="HyperparameterDefinition.MaxValue"/>.</summary>
    Whole,

    /// <summary>A real number within <see cref="HyperparameterDefinition.MinValue"/>..<see cref="HyperparameterDefinition.MaxValue"/>.</summary>
    Continuous,

    /// <summary>One of <see cref="HyperparameterDefinition.Values"/>.</summary>
    Categorical,
}

/// <summary>One hyperparameter of a recipe: its type, default, range and whether HPO may tune it.</summary>
/// <param name="Name">Name as used in <c>algorithmHyperParameters</c>.</param>
/// <param name="Kind">Value type.</param>
/// <param name="DefaultValue">Default, as a string (Personalize passes hyperparameters as strings).</param>
/// <param name="MinValue">Smallest value (numeric kinds).</param>
/// <param name="MaxValue">Largest value (numeric kinds).</param>
/// <param name="Values">Allowed values (categorical).</param>
/// <param name="IsTunable">Whether an HPO range may be given for it.</param>
/// <param name="Description">What it does.</param>
public sealed record HyperparameterDefinition(
    string Name,
    HyperparameterKind Kind,
    string DefaultValue,
    double? MinValue,
    double? MaxValue,
    IReadOnlyList<string>? Values,
    bool IsTunable,
    string Description);

/// <summary>A training recipe (Personalize's Recipe): an algorithm family with its hyperparameters.</summary>
/// <param name="Name">Recipe name, e.g. <c>user-personalization</c>.</param>
/// <param name="RecipeType">One of <see cref="Recipes.RecipeType"/>.</param>
/// <param name="Description">What the recipe does and which data it uses.</param>
/// <param name="Hyperparameters">Its hyperparameters.</param>
/// <param name="SupportsHpo">Whether <c>performHPO</c> is accepted.</param>
/// <param name="UsesItemMetadata">Whether the Items dataset is read when present.</param>
public sealed record Recipe(
    string Name,
    string RecipeType,
    string Description,
    IReadOnlyList<HyperparameterDefinition> Hyperparameters,
    bool SupportsHpo,
    bool UsesItemMetadata)
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "recipe";

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => Resources.ResourceArn.For(ResourceType, Name);

    /// <summary>The definition named <paramref name="name"/>, or null.</summary>
    public HyperparameterDefinition? Find(string name) => Hyperparameters.FirstOrDefault(h => h.Name == name);
}
