namespace Recsys.Core.Solutions;

/// <summary>
/// A line search of a regularization strength on a log scale, for <c>model=auto</c>'s EASE: from the start it doubles
/// and halves while the score rises (so that a catalogue whose best λ is far from the default still finds it), then
/// tries one step of √2 between the best and its better neighbour. Each value is scored once; the number of scores
/// is bounded, so that a costly fit is tried as often as the time budget allows and no more. Where fits are cheap, the
/// caller may allow a few more scores for one purpose only: to keep doubling (or halving) while the best is still the
/// largest (or smallest) value tried, since a peak the search never reaches costs more than the missing half step.
/// </summary>
/// <remarks>
/// A fixed grid wide enough for every catalogue is coarse (×5 steps missed the best λ by 2 % nDCG on MovieLens), and
/// a fine one costs many fits; the validation score is smooth enough in log λ for a bracketing search.
/// </remarks>
public static class LambdaSearch
{
    /// <summary>Scores λ values and returns every value tried with its score, in the order tried.</summary>
    /// <param name="start">The first value (the user's λ).</param>
    /// <param name="maxScores">Most values scored (at least 1).</param>
    /// <param name="min">Smallest value allowed.</param>
    /// <param name="max">Largest value allowed.</param>
    /// <param name="score">Scores a value (higher is better); called at most once per value.</param>
    /// <param name="edgeScores">Scores allowed beyond <paramref name="maxScores"/> while the best is at the edge of the values tried.</param>
    public static IReadOnlyList<(double Lambda, double Score)> Run(double start, int maxScores, double min, double max, Func<double, double> score, int edgeScores = 0)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxScores, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(min);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentOutOfRangeException.ThrowIfNegative(edgeScores);
        var tried = new List<(double Lambda, double Score)>();
        bool Try(double lambda, int limit)
        {
            lambda = Round(lambda);
            if (tried.Count >= limit || lambda < min || lambda > max || tried.Any(t => t.Lambda == lambda))
            {
                return false;
            }

            tried.Add((lambda, score(lambda)));
            return true;
        }

        Try(Math.Clamp(start, min, max), maxScores);
        Try(tried[0].Lambda * 2, maxScores);
        Try(tried[0].Lambda / 2, maxScores);

        // While the best is the largest (or smallest) value tried, the peak lies further out.
        var edgeLimit = maxScores + edgeScores;
        while (true)
        {
            var best = Best(tried);
            if (!((best.Lambda == tried.Max(t => t.Lambda) && Try(best.Lambda * 2, edgeLimit)) || (best.Lambda == tried.Min(t => t.Lambda) && Try(best.Lambda / 2, edgeLimit))))
            {
                break;
            }
        }

        // One half step towards the better neighbour.
        var peak = Best(tried);
        var above = tried.Where(t => t.Lambda > peak.Lambda).OrderBy(t => t.Lambda).Select(t => t.Score).DefaultIfEmpty(double.NegativeInfinity).First();
        var below = tried.Where(t => t.Lambda < peak.Lambda).OrderByDescending(t => t.Lambda).Select(t => t.Score).DefaultIfEmpty(double.NegativeInfinity).First();
        if (above > double.NegativeInfinity || below > double.NegativeInfinity)
        {
            Try(above >= below ? peak.Lambda * Math.Sqrt(2) : peak.Lambda / Math.Sqrt(2), maxScores);
        }

        return tried;
    }

    /// <summary>The best value tried: the highest score, the earliest tried on ties.</summary>
    public static (double Lambda, double Score) Best(IReadOnlyList<(double Lambda, double Score)> tried)
    {
        ArgumentNullException.ThrowIfNull(tried);
        var best = tried[0];
        foreach (var t in tried)
        {
            best = t.Score > best.Score ? t : best;
        }

        return best;
    }

    /// <summary>Three significant digits, so that reported values read as numbers (141, not 141.4213562).</summary>
    private static double Round(double value)
    {
        var digits = 2 - (int)Math.Floor(Math.Log10(value));
        return digits >= 0 ? Math.Round(value, Math.Min(digits, 15)) : Math.Round(value / Math.Pow(10, -digits)) * Math.Pow(10, -digits);
    }
}
