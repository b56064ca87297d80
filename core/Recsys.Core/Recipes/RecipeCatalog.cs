using System.Globalization;
using Recsys.Core.Errors;

namespace Recsys.Core.Recipes;

/// <summary>The recipes Recsys trains, with Personalize's names (the <c>aws-</c> prefix is accepted and ignored).</summary>
public static class RecipeCatalog
{
    /// <summary><c>popularity-count</c>.</summary>
    public const string PopularityCount = "popularity-count";

    /// <summary><c>trending-now</c>.</summary>
    public const string TrendingNow = "trending-now";

    /// <summary><c>sims</c>.</summary>
    public const string Sims = "sims";

    /// <summary><c>similar-items</c>.</summary>
    public const string SimilarItems = "similar-items";

    /// <summary><c>user-personalization</c>.</summary>
    public const string UserPersonalization = "user-personalization";

    /// <summary><c>personalized-ranking</c>.</summary>
    public const string PersonalizedRanking = "personalized-ranking";

    /// <summary><c>item-affinity</c>.</summary>
    public const string ItemAffinity = "item-affinity";

    /// <summary><c>item-attribute-affinity</c>.</summary>
    public const string ItemAttributeAffinity = "item-attribute-affinity";

    /// <summary>Models the <c>model</c> hyperparameter of the personalization recipes may name.</summary>
    public static IReadOnlyList<string> PersonalizationModels { get; } = ["auto", "ease", "als", "item-knn", "rp3beta"];

    private static readonly HyperparameterDefinition[] s_als =
    [
        new("als_factors", HyperparameterKind.Whole, "64", 4, 256, null, true, "ALS latent dimension."),
        new("als_regularization", HyperparameterKind.Continuous, "0.05", 0, 1000, null, true, "ALS L2 regularization."),
        new("als_alpha", HyperparameterKind.Continuous, "1", 0.01, 1000, null, true, "ALS confidence scale of an observed interaction."),
        new("als_iterations", HyperparameterKind.Whole, "15", 1, 100, null, true, "ALS alternating sweeps."),
    ];

    /// <summary>
    /// ALS of the personalization recipes: a stronger confidence and regularization than the segment recipes' (on every
    /// MovieLens and synthetic case of the quality suite but one, α 10 with regularization 50 scored higher alone than
    /// α 1 with 0.05), with <c>model=auto</c> both the start of a search on validation; and 128 factors (on MovieLens the
    /// blend of EASE with a 128-factor ALS scored above EASE on held-out users, where a 64-factor ALS took no weight).
    /// </summary>
    private static readonly HyperparameterDefinition[] s_personalizationAls =
    [
        .. s_als.Select(h => h.Name switch
        {
            "als_factors" => h with { DefaultValue = "128", Description = "ALS latent dimension (with model=auto, at most 64 above 5 M interactions, where a fit takes minutes)." },
            "als_regularization" => h with { DefaultValue = "50", Description = "ALS L2 regularization (with model=auto, searched with als_alpha, their ratio kept)." },
            "als_alpha" => h with { DefaultValue = "10", Description = "ALS confidence scale of an observed interaction (with model=auto, the start of a search on validation: doubling and halving while the score rises, with the regularization in proportion, as many fits as an estimated 120 s allow, at most five, one above 5 M interactions)." },
            _ => h,
        }),
    ];

    private static readonly HyperparameterDefinition[] s_personalization =
    [
        new("model", HyperparameterKind.Categorical, "auto", null, null, PersonalizationModels, true,
            "Which model: 'auto' trains several (EASE, exact where its cost fits and on the most used items above that; item-kNN and RP3beta unless the data is very large; ALS; popularity) and serves a blend of their standardized scores with weights fitted on a validation split carved from the training data (a temporal and a random fold); the solution version's evaluation lists each candidate's validation score and weight."),
        new("ease_lambda", HyperparameterKind.Continuous, "100", 1, 100_000, null, true, "EASE L2 regularization (with model=auto, the start of a search on validation: doubling and halving while the score rises, then a √2 step, as many fits as the EASE time budget allows, and a few more where fits are cheap and the best λ is still at the edge of those tried)."),
        .. s_personalizationAls,
        new("knn_neighbors", HyperparameterKind.Whole, "100", 1, 2000, null, true, "Neighbours kept per item by item-kNN (cosine) and RP3beta."),
        new("rp3beta_alpha", HyperparameterKind.Continuous, "1", 0.1, 2, null, true, "RP3beta exponent of the transition probabilities."),
        new("rp3beta_beta", HyperparameterKind.Continuous, "0.5", 0, 1, null, true, "RP3beta popularity penalty."),
    ];

    private static readonly HyperparameterDefinition[] s_ranking =
    [
        .. s_personalization,
        new("ranking_trees", HyperparameterKind.Whole, "100", 10, 1000, null, true, "LightGBM LambdaRank boosting iterations."),
        new("ranking_leaves", HyperparameterKind.Whole, "31", 4, 256, null, true, "LightGBM leaves per tree."),
        new("ranking_learning_rate", HyperparameterKind.Continuous, "0.1", 0.01, 1, null, true, "LightGBM learning rate."),
        new("ranking_candidates", HyperparameterKind.Whole, "50", 10, 500, null, false, "Candidates per user (the base model's best) the ranker learns to order."),
    ];

    private static readonly HyperparameterDefinition[] s_cooccurrence =
    [
        new("popularity_discount_factor", HyperparameterKind.Continuous, "0.5", 0, 1, null, true, "0 favours popular items; 1 favours co-interaction regardless of popularity."),
        new("min_cointeraction_count", HyperparameterKind.Whole, "3", 0, 10, null, true, "Minimum number of users who interacted with both items."),
        new("max_neighbors", HyperparameterKind.Whole, "100", 1, 1000, null, false, "Neighbours kept per item (sparse, top-K)."),
    ];

    private static readonly Recipe[] s_recipes =
    [
        new(PopularityCount, RecipeType.PopularItems, "The items with the most interactions from unique users; the same list for everyone, and the baseline for metrics.", [], false, false),
        new(TrendingNow, RecipeType.PopularItems, "The items whose interactions rise fastest: the last window's count over the previous window's (smoothed).",
        [
            new("trend_window_hours", HyperparameterKind.Whole, "168", 1, 8760, null, false, "Length of each of the two compared windows, in hours."),
            new("smoothing", HyperparameterKind.Continuous, "5", 0, 1000, null, false, "Added to the previous window's count, so that items with few events do not dominate."),
        ], false, false),
        new(Sims, RecipeType.RelatedItems, "Item-to-item collaborative filtering on co-interactions (Jaccard with a popularity discount), sparse and top-K pruned; no metadata.", s_cooccurrence, true, false),
        new(SimilarItems, RecipeType.RelatedItems, "Co-interaction similarity blended with item-metadata similarity (categorical and textual fields of the Items dataset), so that items with no interactions still get neighbours.",
        [
            .. s_cooccurrence.Select(h => h.Name == "min_cointeraction_count" ? h with { DefaultValue = "1" } : h),
            new("metadata_weight", HyperparameterKind.Continuous, "0.5", 0, 1, null, true, "Weight of metadata similarity against co-interaction (0: co-interaction only; 1: metadata only)."),
        ], true, true),
        new(UserPersonalization, RecipeType.UserPersonalization, "Top-N items for a user from the most accurate model for the data at hand, chosen on a validation split; scores from the user's history, so new events change the next recommendation without retraining.", s_personalization, true, false),
        new(PersonalizedRanking, RecipeType.PersonalizedRanking, "Re-ranks a given list for a user: a collaborative base score re-ordered by LightGBM LambdaRank over the base score, popularity, recency, and item and user metadata.", s_ranking, true, true),
        new(ItemAffinity, RecipeType.UserSegmentation, "For an item, the users most likely to interact with it (implicit ALS user and item factors), for batch segment jobs.", s_als, false, false),
        new(ItemAttributeAffinity, RecipeType.UserSegmentation, "For an item attribute value (e.g. genres = Comedy), the users most likely to interact with items that have it (implicit ALS), for batch segment jobs.", s_als, false, true),
    ];

    /// <summary>Every recipe, by name.</summary>
    public static IReadOnlyList<Recipe> All => s_recipes;

    /// <summary>Finds a recipe by name or ARN (<c>aws-</c> prefixes accepted); null when there is none.</summary>
    public static Recipe? Find(string? nameOrArn)
    {
        if (string.IsNullOrWhiteSpace(nameOrArn))
        {
            return null;
        }

        var name = nameOrArn;
        if (name.StartsWith("arn:", StringComparison.Ordinal))
        {
            var marker = name.IndexOf(":recipe/", StringComparison.Ordinal);
            if (marker < 0)
            {
                return null;
            }

            name = name[(marker + ":recipe/".Length)..];
        }

        if (name.StartsWith("aws-", StringComparison.Ordinal))
        {
            name = name[4..];
        }

        return s_recipes.FirstOrDefault(r => r.Name == name);
    }

    /// <summary>The recipe named by <paramref name="nameOrArn"/>, or <see cref="ResourceNotFoundException"/>.</summary>
    public static Recipe Get(string? nameOrArn) => Find(nameOrArn) ?? throw new ResourceNotFoundException("recipe", nameOrArn ?? string.Empty);

    /// <summary>
    /// Validates <paramref name="values"/> against the recipe and returns every hyperparameter with defaults filled
    /// in. Problems are added to <paramref name="errors"/> under <c>{field}.{name}</c>.
    /// </summary>
    public static Hyperparameters Resolve(Recipe recipe, IReadOnlyDictionary<string, string>? values, string field, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(errors);
        var resolved = recipe.Hyperparameters.ToDictionary(h => h.Name, h => h.DefaultValue, StringComparer.Ordinal);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            var definition = recipe.Find(name);
            if (definition is null)
            {
                errors[$"{field}.{name}"] = [recipe.Hyperparameters.Count == 0
                    ? $"The recipe {recipe.Name} has no hyperparameters."
                    : $"'{name}' is not a hyperparameter of {recipe.Name}; it has: {string.Join(", ", recipe.Hyperparameters.Select(h => h.Name))}."];
                continue;
            }

            if (Problem(definition, value) is { } problem)
            {
                errors[$"{field}.{name}"] = [problem];
                continue;
            }

            resolved[name] = value.Trim();
        }

        return new Hyperparameters(resolved);
    }

    /// <summary>What is wrong with <paramref name="value"/> for <paramref name="definition"/>, or null.</summary>
    public static string? Problem(HyperparameterDefinition definition, string? value)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{definition.Name} needs a value.";
        }

        switch (definition.Kind)
        {
            case HyperparameterKind.Categorical:
                return definition.Values!.Contains(value.Trim())
                    ? null
                    : $"{definition.Name} must be one of {string.Join(", ", definition.Values!)}; got '{value}'.";
            case HyperparameterKind.Whole:
                if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                {
                    return $"{definition.Name} must be an integer; got '{value}'.";
                }

                return whole < definition.MinValue || whole > definition.MaxValue
                    ? $"{definition.Name} must be between {Format(definition.MinValue)} and {Format(definition.MaxValue)}; got {value}."
                    : null;
            default:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) || !double.IsFinite(real))
                {
                    return $"{definition.Name} must be a number; got '{value}'.";
                }

                return real < definition.MinValue || real > definition.MaxValue
                    ? $"{definition.Name} must be between {Format(definition.MinValue)} and {Format(definition.MaxValue)}; got {value}."
                    : null;
        }
    }

    private static string Format(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";
}

/// <summary>A recipe's hyperparameters with defaults filled in, validated, as strings with typed accessors.</summary>
public sealed class Hyperparameters
{
    private readonly Dictionary<string, string> _values;

    /// <summary>Wraps validated values.</summary>
    public Hyperparameters(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    /// <summary>All values by name.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public Hyperparameters With(string name, string value) => new(new Dictionary<string, string>(_values, StringComparer.Ordinal) { [name] = value });

    /// <summary>A string value.</summary>
    public string GetString(string name) => _values[name];

    /// <summary>An integer value.</summary>
    public int GetInt32(string name) => int.Parse(_values[name], NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A real value.</summary>
    public double GetDouble(string name) => double.Parse(_values[name], NumberStyles.Float, CultureInfo.InvariantCulture);
}
