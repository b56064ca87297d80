using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Factorization;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Popularity;
using Recsys.Algorithms.Similarity;
using Recsys.Core.Recipes;

namespace Recsys.Core.Solutions;

/// <summary>Trains the model a recipe's hyperparameters describe (a concrete <c>model</c>, never <c>auto</c>).</summary>
public static class RecipeModels
{
    /// <summary>Largest catalogue for which <c>model=auto</c> tries EASE: its dense items² model and float64 work arrays stay under 2 GB.</summary>
    public const int AutoEaseMaxItems = 12_000;

    /// <summary>Largest number of stored interactions for which <c>model=auto</c> also tries item-kNN and RP3beta.</summary>
    public const int AutoNeighborhoodMaxInteractions = 5_000_000;

    /// <summary>Tokens used by more items than this carry little similarity and cost quadratic time; they are skipped.</summary>
    private const int MaxTokenItems = 20_000;

    /// <summary>
    /// The concrete configurations <c>model=auto</c> stands for on a matrix of this size: EASE (λ and 5λ) when the
    /// catalogue is small enough, item-kNN and RP3beta when the data is not too large, and ALS always.
    /// </summary>
    public static IReadOnlyList<Hyperparameters> ExpandAuto(Hyperparameters hyperparameters, InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(matrix);
        if (hyperparameters.GetString("model") != "auto")
        {
            return [hyperparameters];
        }

        var list = new List<Hyperparameters>();
        if (matrix.ItemCount <= AutoEaseMaxItems)
        {
            var lambda = hyperparameters.GetDouble("ease_lambda");
            list.Add(hyperparameters.With("model", "ease"));
            list.Add(hyperparameters.With("model", "ease").With("ease_lambda", Math.Min(100_000, lambda * 5).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (matrix.NonZeroCount <= AutoNeighborhoodMaxInteractions)
        {
            list.Add(hyperparameters.With("model", "item-knn"));
            list.Add(hyperparameters.With("model", "rp3beta"));
        }

        list.Add(hyperparameters.With("model", "als"));
        return list;
    }

    /// <summary>Trains <paramref name="recipe"/> on <paramref name="matrix"/> (whose item indices are those of <paramref name="dataset"/>).</summary>
    /// <exception cref="InvalidOperationException">The configuration cannot be trained on this data (the message says why).</exception>
    public static RecommenderModel Train(Recipe recipe, Hyperparameters hyperparameters, InteractionMatrix matrix, TrainingDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(dataset);
        switch (recipe.Name)
        {
            case RecipeCatalog.PopularityCount:
                return new PopularityTrainer().Fit(matrix);
            case RecipeCatalog.TrendingNow:
                return new TrendingTrainer(new TrendingOptions
                {
                    Window = hyperparameters.GetInt32("trend_window_hours") * 3600L,
                    Smoothing = (float)hyperparameters.GetDouble("smoothing"),
                }).Fit(matrix);
            case RecipeCatalog.Sims:
                return Cooccurrence(hyperparameters, matrix);
            case RecipeCatalog.SimilarItems:
                var weight = (float)hyperparameters.GetDouble("metadata_weight");
                var metadata = dataset.ItemTokenIds.Length == 0 || weight == 0 ? null : MetadataSimilarity(dataset, hyperparameters.GetInt32("max_neighbors"));
                var collaborative = Cooccurrence(hyperparameters, matrix);
                return metadata is null ? collaborative : new BlendModel([collaborative, metadata], [1 - weight, weight]);
            case RecipeCatalog.ItemAffinity or RecipeCatalog.ItemAttributeAffinity:
                return Als(hyperparameters, matrix);
            default:
                return Personalization(hyperparameters, matrix);
        }
    }

    private static RecommenderModel Personalization(Hyperparameters hyperparameters, InteractionMatrix matrix)
    {
        var model = hyperparameters.GetString("model");
        switch (model)
        {
            case "ease":
                if (matrix.ItemCount > new EaseOptions().MaxItems)
                {
                    throw new InvalidOperationException($"model=ease needs a catalogue of at most {new EaseOptions().MaxItems} items; this one has {matrix.ItemCount}. Use model=auto or als.");
                }

                return new EaseTrainer(new EaseOptions { Lambda = hyperparameters.GetDouble("ease_lambda") }).Fit(matrix);
            case "als":
                return Als(hyperparameters, matrix);
            case "item-knn":
                return new ItemKnnTrainer(new ItemKnnOptions { Neighbors = hyperparameters.GetInt32("knn_neighbors") }).Fit(matrix);
            case "rp3beta":
                return new Rp3BetaTrainer(new Rp3BetaOptions
                {
                    Alpha = (float)hyperparameters.GetDouble("rp3beta_alpha"),
                    Beta = (float)hyperparameters.GetDouble("rp3beta_beta"),
                    Neighbors = hyperparameters.GetInt32("knn_neighbors"),
                }).Fit(matrix);
            default:
                throw new InvalidOperationException($"model '{model}' must be expanded before training.");
        }
    }

    private static AlsModel Als(Hyperparameters hyperparameters, InteractionMatrix matrix) => new AlsTrainer(new AlsOptions
    {
        Factors = hyperparameters.GetInt32("als_factors"),
        Regularization = (float)hyperparameters.GetDouble("als_regularization"),
        Alpha = (float)hyperparameters.GetDouble("als_alpha"),
        Iterations = hyperparameters.GetInt32("als_iterations"),
    }).Fit(matrix);

    private static ItemSimilarityModel Cooccurrence(Hyperparameters hyperparameters, InteractionMatrix matrix) => new ItemSimilarityTrainer(new ItemSimilarityOptions
    {
        Similarity = SimilarityKind.Jaccard,
        PopularityDiscountFactor = (float)hyperparameters.GetDouble("popularity_discount_factor"),
        MinCointeractionCount = Math.Max(1, hyperparameters.GetInt32("min_cointeraction_count")),
        MaxNeighbors = hyperparameters.GetInt32("max_neighbors"),
    }).Fit(matrix.Binarize());

    /// <summary>Cosine similarity of items' IDF-weighted token vectors, top-K per item.</summary>
    private static ItemSimilarityModel MetadataSimilarity(TrainingDataset dataset, int neighbors)
    {
        var items = dataset.ItemIds.Count;
        var frequency = new int[dataset.Tokens.Length];
        foreach (var token in dataset.ItemTokenIds)
        {
            frequency[token]++;
        }

        var tokenRows = new List<int>();
        var itemColumns = new List<int>();
        var weights = new List<float>();
        for (var item = 0; item < items; item++)
        {
            foreach (var token in dataset.ItemTokens(item))
            {
                if (frequency[token] > MaxTokenItems)
                {
                    continue;
                }

                tokenRows.Add(token);
                itemColumns.Add(item);
                weights.Add(MathF.Log((1f + items) / frequency[token]));
            }
        }

        var tokensByItems = InteractionMatrix.FromCoordinates(dataset.Tokens.Length, items, tokenRows.ToArray(), itemColumns.ToArray(), weights.ToArray());
        return new ItemKnnTrainer(new ItemKnnOptions { Neighbors = neighbors + 1 }).Fit(tokensByItems);
    }
}
