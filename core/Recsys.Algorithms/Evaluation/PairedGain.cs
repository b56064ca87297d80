namespace Recsys.Algorithms.Evaluation;

/// <summary>
/// The mean of users' paired metric differences (a trial against the current choice, user by user) and its standard
/// error: how model choices tell a gain from the noise of which users happen to be sampled.
/// </summary>
/// <param name="Mean">Mean difference (trial − current).</param>
/// <param name="StandardError">Its standard error (sample standard deviation over √n; 0 below two users).</param>
/// <param name="Count">Users compared.</param>
public readonly record struct PairedGain(double Mean, double StandardError, int Count)
{
    /// <summary>
    /// The gain of <paramref name="trial"/> over <paramref name="current"/> (per-user values, aligned) over every user,
    /// or only over those whose entry in <paramref name="folds"/> is <paramref name="fold"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static PairedGain Of(IReadOnlyList<double> trial, IReadOnlyList<double> current, IReadOnlyList<int>? folds = null, int fold = 0)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(current);
        if (current.Count != trial.Count || (folds is not null && folds.Count != trial.Count))
        {
            throw new ArgumentException("trial, current and folds must have one entry per user.", nameof(current));
        }

        double sum = 0, square = 0;
        var n = 0;
        for (var u = 0; u < trial.Count; u++)
        {
            if (folds is not null && folds[u] != fold)
            {
                continue;
            }

            var d = trial[u] - current[u];
            sum += d;
            square += d * d;
            n++;
        }

        if (n < 2)
        {
            return new PairedGain(n == 0 ? 0 : sum, 0, n);
        }

        var mean = sum / n;
        var variance = Math.Max(0, (square - (n * mean * mean)) / (n - 1));
        return new PairedGain(mean, Math.Sqrt(variance / n), n);
    }
}
