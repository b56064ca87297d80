namespace Recsys.Algorithms.Linear;

/// <summary>
/// What one EASE fit is expected to cost with a solver: wall-clock seconds on a current x64 core (AVX2 + FMA) and
/// peak managed memory. Estimates from measured throughput (tests/benchmarks/results/training-ease-solve.json), for
/// choosing a solver or a model, not guarantees.
/// </summary>
/// <param name="Solver">The solver the estimate is for.</param>
/// <param name="Seconds">Expected wall-clock seconds of the fit.</param>
/// <param name="PeakBytes">Expected peak bytes the fit allocates (the model included, the interactions not).</param>
public readonly record struct EaseCost(EaseSolver Solver, double Seconds, long PeakBytes);
