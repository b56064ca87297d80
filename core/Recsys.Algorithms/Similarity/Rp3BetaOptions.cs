namespace Recsys.Algorithms.Similarity;

/// <summary>Settings of <see cref="Rp3BetaTrainer"/>.</summary>
public sealed record Rp3BetaOptions
{
    /// <summary>Exponent of the random-walk transition probabilities.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Popularity penalty: a neighbour j's weight is divided by <c>n_j^Beta</c>.</summary>
    public float Beta { get; init; } = 0.5f;

    /// <summary>Neighbours kept per item (K).</summary>
    public int Neighbors { get; init; } = 100;

    /// <summary>Threads used to build the rows, at most <see cref="TrainingScheduler.MaxDegreeOfParallelism"/>; -1 for that bound.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
