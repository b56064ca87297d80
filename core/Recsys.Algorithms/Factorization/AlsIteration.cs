namespace Recsys.Algorithms.Factorization;

/// <summary>Progress of one ALS iteration.</summary>
/// <param name="Iteration">1-based iteration number.</param>
/// <param name="Elapsed">Wall-clock time of the iteration's two sweeps (the loss computation excluded).</param>
/// <param name="Loss">The loss after the iteration when <see cref="AlsOptions.ComputeLoss"/> is set; otherwise null.</param>
public readonly record struct AlsIteration(int Iteration, TimeSpan Elapsed, double? Loss);
