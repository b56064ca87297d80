using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Evaluation;

namespace Recsys.Core.Solutions;

/// <summary>
/// Chooses how much <c>model=auto</c> boosts a user's latest interactions (<see cref="RecencyBoost"/>) on the
/// validation users, whose two folds held out each user's newest interactions (temporal) or a random sample. A boost
/// qualifies when, against no boost, it raises the temporal fold, beyond the noise (the mean of the users' paired nDCG
/// gains above one standard error) either there or on all validation users together, and does not lower the random fold
/// beyond its noise (nor by more than 1 %): a boost helps only where the next interactions follow the latest, and must
/// not cost where they do not. Of the qualifying boosts, the one with the best score on all validation users is served
/// (none when none qualifies).
/// </summary>
/// <remarks>
/// Measured on MovieLens (tests/benchmarks, <c>recency-probe</c>): a floor of 0.7 with a half-life of 5 interactions
/// raised nDCG@10 by 3 % on per-user temporal splits and left a random 75/25 split unchanged; a floor of 0.5 raised the
/// first by 6 % but cost the second 1 %, and 0.3 cost it 6 %. The validation's random fold holds out 10 %, on which
/// 0.5 still gained and 0.3 lost only 3 %: it cannot see what a stronger boost costs where a larger share is
/// unrelated to order, so no boost below 0.7 is tried.
/// </remarks>
public static class RecencySearch
{
    /// <summary>Boosts tried, weakest first (after none).</summary>
    public static IReadOnlyList<RecencyBoost> Candidates { get; } = [new(0.85f, 5f), new(0.7f, 5f)];

    /// <summary>
    /// A loss of the random fold smaller than this share of its score is accepted even when it is beyond the noise (on
    /// large or very regular data the noise is tiny, and a 1 % cost where order does not matter buys much where it does).
    /// </summary>
    private const double MaxRandomFoldLoss = 0.01;

    /// <summary>List length scored.</summary>
    private const int Depth = 10;

    private static readonly RankingEvaluationOptions s_options = new() { Ks = [Depth] };

    /// <summary>
    /// Scores no boost and each candidate with <paramref name="model"/> on <paramref name="validation"/> (which must carry
    /// recency ranks) and returns the boost chosen with every trial.
    /// </summary>
    /// <param name="model">The model whose history weights are boosted.</param>
    /// <param name="validation">The validation users.</param>
    /// <param name="folds">Each user's fold: 0 temporal, 1 random.</param>
    public static (RecencyBoost Chosen, IReadOnlyList<RecencyTrial> Trials) Choose(RecommenderModel model, UserSample validation, IReadOnlyList<int> folds)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(folds);
        if (folds.Count != validation.Count)
        {
            throw new ArgumentException("One fold per validation user is needed.", nameof(folds));
        }

        if (validation.Count == 0)
        {
            return (RecencyBoost.None, []);
        }

        var none = PerUser(model, validation);
        var scored = new List<(RecencyBoost Boost, double[] PerUser)> { (RecencyBoost.None, none) };
        var chosen = 0;
        foreach (var boost in Candidates)
        {
            var perUser = PerUser(model, validation.WithRecency(boost));
            scored.Add((boost, perUser));
            if (Qualifies(perUser, none, folds) && perUser.Average() > scored[chosen].PerUser.Average())
            {
                chosen = scored.Count - 1;
            }
        }

        var trials = scored.Select((s, k) => new RecencyTrial(
            Math.Round(s.Boost.Floor, 6), Math.Round(s.Boost.HalfLife, 6), Math.Round(s.PerUser.Average(), 6),
            Math.Round(FoldMean(s.PerUser, folds, 0), 6), Math.Round(FoldMean(s.PerUser, folds, 1), 6), k == chosen)).ToArray();
        return (scored[chosen].Boost, trials);
    }

    /// <summary>
    /// Whether a boost scoring <paramref name="trial"/> per user may be served instead of none (<paramref name="none"/>):
    /// it raises the temporal fold (0), beyond the noise there or on all users together, and does not lower the random
    /// fold (1) beyond its noise and <see cref="MaxRandomFoldLoss"/>.
    /// </summary>
    internal static bool Qualifies(double[] trial, double[] none, IReadOnlyList<int> folds)
    {
        static bool BeyondNoise(PairedGain gain) => gain.Mean > gain.StandardError;
        var temporal = PairedGain.Of(trial, none, folds, 0);
        var random = PairedGain.Of(trial, none, folds, 1);
        return temporal.Mean > 0
            && (BeyondNoise(temporal) || BeyondNoise(PairedGain.Of(trial, none)))
            && random.Mean >= -Math.Max(random.StandardError, MaxRandomFoldLoss * FoldMean(none, folds, 1));
    }

    /// <summary>nDCG@10 per user, as the run's objective defines it (<see cref="RankingEvaluator"/>).</summary>
    private static double[] PerUser(RecommenderModel model, UserSample sample)
    {
        var result = new double[sample.Count];
        Parallel.For(0, sample.Count, TrainingScheduler.Shared.ParallelOptions(), u =>
        {
            IReadOnlyList<int>[] list = [model.Recommend(sample.History[u], sample.HistoryWeights[u], Depth).Select(s => s.Item).ToArray()];
            result[u] = sample.Targets[u].Length == 0 ? 0 : RankingEvaluator.Evaluate(list, [sample.Targets[u]], options: s_options).NdcgAt(Depth);
        });
        return result;
    }

    private static double FoldMean(double[] perUser, IReadOnlyList<int> folds, int fold)
    {
        double sum = 0;
        var n = 0;
        for (var u = 0; u < perUser.Length; u++)
        {
            if (folds[u] == fold)
            {
                sum += perUser[u];
                n++;
            }
        }

        return n == 0 ? 0 : sum / n;
    }
}
