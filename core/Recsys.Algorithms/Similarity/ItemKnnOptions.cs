namespace Recsys.Algorithms.Similarity;

/// <summary>Settings of <see cref="ItemKnnTrainer"/>.</summary>
public sealed record ItemKnnOptions
{
    /// <summary>The column weighting.</summary>
    public ItemKnnWeighting Weighting { get; init; } = ItemKnnWeighting.Cosine;

    /// <summary>Neighbours kept per item, the item itself included as in implicit (K).</summary>
    public int Neighbors { get; init; } = 100;

    /// <summary>BM25 term-frequency saturation.</summary>
    public float K1 { get; init; } = 1.2f;

    /// <summary>BM25 length normalization in [0, 1].</summary>
    public float B { get; init; } = 0.75f;

    /// <summary>Threads used to build the rows, at most <see cref="TrainingScheduler.MaxDegreeOfParallelism"/>; -1 for that bound.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
