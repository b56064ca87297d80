using System.Globalization;
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
    /// <summary>Largest number of stored interactions for which <c>model=auto</c> also tries item-kNN and RP3beta.</summary>
    public const int AutoNeighborhoodMaxInteractions = 5_000_000;

    /// <summary>
    /// Memory a training run may take in all (of a 4 GB instance); an EASE fit may take what the data does not
    /// (<see cref="EaseMemoryBudget"/>).
    /// </summary>
    public const long TrainingMemoryBytes = 3_200L << 20;

    /// <summary>Longest one EASE fit may take by <see cref="EaseCost"/>; a larger catalogue gets EASE on its head items.</summary>
    public const double EaseTimeBudgetSeconds = 30;

    /// <summary>
    /// Bytes a stored interaction costs while training: the matrix (CSR and CSC) in the dataset and again in the split,
    /// and what building them leaves (measured: 1,941 MB of working set for 18.4 M stored pairs once the dataset is built).
    /// </summary>
    private const long BytesPerInteraction = 96;

    /// <summary>The internal model name of the popularity candidate of <c>model=auto</c> (not a value users may set).</summary>
    internal const string PopularityModel = "popularity";

    /// <summary>Tokens used by more items than this carry little similarity and cost quadratic time; they are skipped.</summary>
    private const int MaxTokenItems = 20_000;

    /// <summary>Most EASE fits the λ search of <c>model=auto</c> makes (<see cref="LambdaSearch"/>).</summary>
    public const int MaxEaseLambdaFits = 7;

    /// <summary>Most ALS fits the strength search of <c>model=auto</c> makes where the neighbourhood models run too.</summary>
    public const int MaxAlsStrengthFits = 5;

    /// <summary>Most ALS factors <c>model=auto</c> fits above <see cref="AutoNeighborhoodMaxInteractions"/> interactions.</summary>
    public const int AutoLargeAlsFactors = 64;

    /// <summary>
    /// The ALS factors <c>model=auto</c> fits: the configured ones, at most <see cref="AutoLargeAlsFactors"/> above
    /// <see cref="AutoNeighborhoodMaxInteractions"/> interactions.
    /// </summary>
    /// <remarks>
    /// A fit's cost grows with the square of the factors: on 20 M interactions (200k users, 50k items) one 128-factor
    /// fit took 147 s against 61 s with 64, and the default's training 271 s against 168 s of its 300 s budget, for a
    /// candidate that took no weight in the blend with either.
    /// </remarks>
    public static int AutoAlsFactors(int configured, long interactions) =>
        interactions > AutoNeighborhoodMaxInteractions ? Math.Min(configured, AutoLargeAlsFactors) : configured;

    /// <summary>Longest the ALS strength search of <c>model=auto</c> may take by <see cref="AlsTrainer.EstimateSeconds"/>, however many fits that allows (at least one).</summary>
    public const double AlsStrengthBudgetSeconds = 120;

    /// <summary>
    /// How many ALS fits the strength search of <c>model=auto</c> may make on this matrix with <paramref name="als"/>'s
    /// factors and iterations: as many as <see cref="AlsStrengthBudgetSeconds"/> allows by
    /// <see cref="AlsTrainer.EstimateSeconds"/> on the training threads (from the estimate, not the clock, so that the
    /// choice does not depend on the machine's load), at least one and at most <see cref="MaxAlsStrengthFits"/>; one
    /// above <see cref="AutoNeighborhoodMaxInteractions"/> interactions.
    /// </summary>
    /// <remarks>
    /// A fit's cost grows with the square of the factors. Near the neighbourhood models' limit (100k users, 50k items,
    /// 4.9 M interactions) a 128-factor fit is estimated at 56 s on one training thread and 31 s on two, so five fits
    /// would take 280 s on one thread, nearly all of the default's 300 s training budget; there the search makes two
    /// fits, or three on two threads. Every case of the quality suite (which trains on one thread; at most 15 s a fit by
    /// the estimate) keeps all five.
    /// </remarks>
    public static int AlsStrengthFits(InteractionMatrix matrix, Hyperparameters als)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(als);
        return AlsStrengthFits(AlsOptionsOf(als), matrix.UserCount, matrix.ItemCount, matrix.NonZeroCount, TrainingScheduler.Shared.MaxDegreeOfParallelism);
    }

    /// <summary><see cref="AlsStrengthFits(InteractionMatrix, Hyperparameters)"/> for a matrix of this size and <paramref name="threads"/> training threads.</summary>
    internal static int AlsStrengthFits(AlsOptions options, int users, int items, long interactions, int threads)
    {
        if (interactions > AutoNeighborhoodMaxInteractions)
        {
            return 1;
        }

        return FitsWithin(AlsStrengthBudgetSeconds, AlsTrainer.EstimateSeconds(options, users, items, interactions, threads), MaxAlsStrengthFits);
    }

    /// <summary>How many fits of <paramref name="seconds"/> each a search may make in <paramref name="budget"/> seconds: at least one, at most <paramref name="most"/>.</summary>
    private static int FitsWithin(double budget, double seconds, int most) =>
        seconds <= 0 ? most : (int)Math.Clamp(Math.Floor(budget / seconds), 1, most);

    /// <summary>
    /// Fits the λ search may add to <see cref="MaxEaseLambdaFits"/> while its best λ is still the largest (or smallest)
    /// tried, where the search has all its <see cref="MaxEaseLambdaFits"/> (on the whole head or a search head).
    /// </summary>
    /// <remarks>
    /// Those fits are cheap (each at most a seventh of the two time budgets), so the search exceeds its budgets by at
    /// most this many of them, and only where the peak lies beyond its reach: on 200k users and a 6,648-item search
    /// head, validation still rose at λ 3,200, the seventh fit.
    /// </remarks>
    public const int MaxEaseLambdaEdgeFits = 3;

    /// <summary>
    /// The concrete configurations <c>model=auto</c> stands for on a matrix of this size, to be blended on validation:
    /// EASE (exact where <see cref="EaseCost"/> fits the budgets, else on the head items; its λ is searched from the
    /// configured one, <see cref="EaseLambdaFits"/>), item-kNN and RP3beta when the data is not too large, ALS, and popularity.
    /// </summary>
    public static IReadOnlyList<Hyperparameters> ExpandAuto(Hyperparameters hyperparameters, InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(matrix);
        if (hyperparameters.GetString("model") != "auto")
        {
            return [hyperparameters];
        }

        var list = new List<Hyperparameters> { hyperparameters.With("model", "ease") };
        if (matrix.NonZeroCount <= AutoNeighborhoodMaxInteractions)
        {
            list.Add(hyperparameters.With("model", "item-knn"));
            list.Add(hyperparameters.With("model", "rp3beta"));
        }

        var als = hyperparameters.With("model", "als");
        list.Add(als.With("als_factors", AutoAlsFactors(als.GetInt32("als_factors"), matrix.NonZeroCount).ToString(CultureInfo.InvariantCulture)));
        list.Add(hyperparameters.With("model", PopularityModel));
        return list;
    }

    /// <summary>
    /// How many EASE fits the λ search of <c>model=auto</c> may make on this matrix: as many as take two time budgets
    /// by <see cref="EaseCost"/> (from the estimate, not the clock, so that the choice does not depend on the machine's
    /// load), at least one and at most <see cref="MaxEaseLambdaFits"/>.
    /// </summary>
    public static int EaseLambdaFits(InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return LambdaFits(EaseCost(Math.Min(matrix.ItemCount, EaseHeadItems(matrix)), matrix.UserCount, matrix.NonZeroCount).Seconds);
    }

    private static int LambdaFits(double seconds) => FitsWithin(2 * EaseTimeBudgetSeconds, seconds, MaxEaseLambdaFits);

    /// <summary>
    /// Where the whole head allows fewer than <see cref="MaxEaseLambdaFits"/> fits in the λ search's two time budgets,
    /// the λ search fits EASE on the most popular part of the head instead: the largest number of items for which
    /// <see cref="MaxEaseLambdaFits"/> such fits and one fit of the whole head at the chosen λ take the same two budgets
    /// by <see cref="EaseCost"/>. Null where the search runs on the whole head: it fits often enough there, or the
    /// search head would be under a quarter of it (too far from the served model for its λ to carry over).
    /// </summary>
    /// <remarks>
    /// EASE's λ is in units of the Gram matrix's diagonal (user counts), so its best value depends on the users and
    /// their activity more than on how many items are solved: on 30,000 users and a 15,493-item head, validation
    /// rose from λ 100 to a plateau at 800–1,600 on the whole head, on half and on a quarter of it alike.
    /// </remarks>
    public static int? EaseSearchHeadItems(InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return SearchHeadItems(Math.Min(matrix.ItemCount, EaseHeadItems(matrix)), n => EaseCost(n, matrix.UserCount, matrix.NonZeroCount).Seconds);
    }

    /// <summary><see cref="EaseSearchHeadItems"/> for a head of <paramref name="head"/> items and a fit's estimated seconds by item count.</summary>
    internal static int? SearchHeadItems(int head, Func<int, double> seconds)
    {
        var headSeconds = seconds(head);
        if (LambdaFits(headSeconds) >= MaxEaseLambdaFits)
        {
            return null;
        }

        var perFit = ((2 * EaseTimeBudgetSeconds) - headSeconds) / MaxEaseLambdaFits;
        int low = 0, high = head - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (seconds(mid) <= perFit)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low > 0 && low >= head / 4 ? low : null;
    }

    /// <summary>EASE with regularization <paramref name="lambda"/> on at most <paramref name="headItems"/> of the most popular items, exact where that is all of them.</summary>
    public static RecommenderModel TrainEase(double lambda, InteractionMatrix matrix, int headItems)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var options = new EaseOptions { Lambda = lambda, MaxItems = EaseTrainer.ItemLimit };
        return headItems >= matrix.ItemCount ? new EaseTrainer(options).Fit(matrix) : new HeadEaseTrainer(options, headItems).Fit(matrix);
    }

    /// <summary>
    /// Estimated peak bytes and seconds of an EASE fit on <paramref name="items"/> items with the training threads
    /// (<see cref="TrainingScheduler"/>): the cheaper of the trainer's direct solve and its Woodbury path, as
    /// <see cref="EaseTrainer"/> estimates them from its measured rates.
    /// </summary>
    public static (long Bytes, double Seconds) EaseCost(int items, int users, long interactions)
    {
        var threads = TrainingScheduler.Shared.MaxDegreeOfParallelism;
        var direct = EaseTrainer.EstimateDirect(items, threads);
        var woodbury = EaseTrainer.EstimateWoodbury(users, items, interactions, threads);
        var cheaper = woodbury.Seconds < direct.Seconds ? woodbury : direct;
        return (cheaper.PeakBytes, cheaper.Seconds);
    }

    /// <summary>Memory an EASE fit on this matrix may take: what <see cref="TrainingMemoryBytes"/> leaves beside the data (at least 256 MB).</summary>
    public static long EaseMemoryBudget(InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Math.Max(256L << 20, TrainingMemoryBytes - (BytesPerInteraction * matrix.NonZeroCount));
    }

    /// <summary>The largest number of items whose EASE fit on this matrix stays within the memory and time budgets.</summary>
    public static int EaseHeadItems(InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var memory = EaseMemoryBudget(matrix);
        // The λ search holds its best model (a dense n × n float32 matrix) while it fits the next.
        bool Fits(int n)
        {
            var (bytes, seconds) = EaseCost(n, matrix.UserCount, matrix.NonZeroCount);
            return bytes + (4L * n * n) <= memory && seconds <= EaseTimeBudgetSeconds;
        }

        int low = 1, high = Math.Min(matrix.ItemCount, EaseTrainer.ItemLimit);
        if (Fits(high))
        {
            return high;
        }

        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Fits(mid))
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
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
                return TrainEase(hyperparameters.GetDouble("ease_lambda"), matrix, EaseHeadItems(matrix));
            case PopularityModel:
                return new PopularityTrainer().Fit(matrix);
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

    /// <summary>
    /// ALS from a start drawn per user index and per item <em>content key</em> (<see cref="EvaluationSplit.ItemKeys"/>)
    /// rather than in item index order, so that the model does not depend on how items are named or ordered.
    /// </summary>
    private static AlsModel Als(Hyperparameters hyperparameters, InteractionMatrix matrix)
    {
        var options = AlsOptionsOf(hyperparameters);
        var k = options.Factors;
        var users = new float[(long)matrix.UserCount * k];
        for (var u = 0; u < matrix.UserCount; u++)
        {
            Uniform(options.Seed ^ (ulong)u, users.AsSpan(u * k, k));
        }

        var keys = EvaluationSplit.ItemKeys(matrix, options.Seed);
        var items = new float[(long)matrix.ItemCount * k];
        for (var i = 0; i < matrix.ItemCount; i++)
        {
            Uniform(keys[i], items.AsSpan(i * k, k));
        }

        return new AlsTrainer(options).Fit(matrix, users, items);
    }

    /// <summary>The <see cref="AlsOptions"/> a recipe's ALS hyperparameters describe.</summary>
    private static AlsOptions AlsOptionsOf(Hyperparameters hyperparameters) => new()
    {
        Factors = hyperparameters.GetInt32("als_factors"),
        Regularization = (float)hyperparameters.GetDouble("als_regularization"),
        Alpha = (float)hyperparameters.GetDouble("als_alpha"),
        Iterations = hyperparameters.GetInt32("als_iterations"),
    };

    /// <summary>Values uniform in [0, 0.01) from a SplitMix64 stream (ALS's usual small random start).</summary>
    private static void Uniform(ulong seed, Span<float> values)
    {
        for (var d = 0; d < values.Length; d++)
        {
            seed += 0x9E3779B97F4A7C15UL;
            values[d] = (EvaluationSplit.Mix(seed) >> 40) * (0.01f / (1 << 24));
        }
    }

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
