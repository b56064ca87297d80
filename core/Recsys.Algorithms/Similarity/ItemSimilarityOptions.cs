namespace Recsys.Algorithms.Similarity;

/// <summary>Settings of <see cref="ItemSimilarityTrainer"/> (SAR-like co-occurrence similarity, Personalize SIMS).</summary>
public sealed record ItemSimilarityOptions
{
    /// <summary>The similarity formula.</summary>
    public SimilarityKind Similarity { get; init; } = SimilarityKind.Jaccard;

    /// <summary>
    /// Personalize's <c>popularity_discount_factor</c> in [0, 1]: a neighbour j's similarity is divided by
    /// <c>C_jj^factor</c>, so that higher values favour less popular neighbours. 0 leaves the formula unchanged.
    /// </summary>
    public float PopularityDiscountFactor { get; init; }

    /// <summary>Personalize's <c>min_cointeraction_count</c> (SAR's <c>threshold</c>): pairs with fewer common users are dropped.</summary>
    public int MinCointeractionCount { get; init; } = 1;

    /// <summary>Neighbours kept per item (K). Use a large value to keep every pair.</summary>
    public int MaxNeighbors { get; init; } = 100;

    /// <summary>Threads used to build the rows, at most <see cref="TrainingScheduler.MaxDegreeOfParallelism"/>; -1 for that bound.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
