namespace Recsys.Algorithms.Linear;

/// <summary>Settings of <see cref="EaseTrainer"/>.</summary>
public sealed record EaseOptions
{
    /// <summary>L2 regularization λ added to the Gram matrix's diagonal.</summary>
    public double Lambda { get; init; } = 100;

    /// <summary>
    /// Dropout probability p in [0, 1) of EDLAE (Steck 2020, "Autoencoders that don't overfit towards the
    /// identity"): item i's regularization becomes <c>Lambda + p / (1 − p) · G_ii</c>, so that popular items are
    /// regularized more. 0 is plain EASE.
    /// </summary>
    public double DropoutRate { get; init; }

    /// <summary>
    /// Largest catalogue accepted: the model is a dense items × items float32 matrix (4·items² bytes, 1.6 GB at
    /// 20,000 items), which the direct solve also works in; <see cref="EaseTrainer.MaxDirectItems"/> tells what fits a
    /// memory and time budget.
    /// </summary>
    public int MaxItems { get; init; } = 20_000;

    /// <summary>How the inverse is computed.</summary>
    public EaseSolver Solver { get; init; } = EaseSolver.Auto;

    /// <summary>Threads, at most <see cref="TrainingScheduler.MaxDegreeOfParallelism"/>; -1 for that bound.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
