namespace Recsys.Algorithms.Factorization;

/// <summary>Settings of <see cref="AlsTrainer"/> (names and defaults as in the <c>implicit</c> library where they exist).</summary>
public sealed record AlsOptions
{
    /// <summary>Latent dimension.</summary>
    public int Factors { get; init; } = 64;

    /// <summary>L2 regularization λ on every user and item vector (not scaled by counts).</summary>
    public float Regularization { get; init; } = 0.05f;

    /// <summary>Confidence scale: an observed cell of weight w has confidence <c>Alpha·w</c>; unobserved cells have 1.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Number of alternating sweeps (users, then items).</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>
    /// Conjugate-gradient steps per vector and sweep, warm-started from the previous vector (3, as <c>implicit</c>'s
    /// <c>cg_steps</c>; more steps cost time per iteration without better ranking on the benchmark splits, see
    /// <see cref="AlsTrainer"/>).
    /// </summary>
    public int ConjugateGradientSteps { get; init; } = 3;

    /// <summary>Seed of the initial factors (uniform in [0, 0.01), from SplitMix64: not numpy's stream, so seed 42 is not implicit's <c>random_state=42</c>).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Threads, at most <see cref="TrainingScheduler.MaxDegreeOfParallelism"/>; -1 for that bound. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Whether to compute the loss after every iteration (costs about one sweep; for tests and diagnostics).</summary>
    public bool ComputeLoss { get; init; }
}
