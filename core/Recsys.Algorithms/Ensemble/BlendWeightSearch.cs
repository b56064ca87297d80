using Recsys.Algorithms.Evaluation;

namespace Recsys.Algorithms.Ensemble;

/// <summary>Settings of <see cref="BlendWeightSearch"/>.</summary>
public sealed record BlendSearchOptions
{
    /// <summary>List length the objective scores (nDCG at this depth).</summary>
    public int Depth { get; init; } = 10;

    /// <summary>Each model's best items per user that enter the user's candidate pool (the blend's top list is taken from the pool).</summary>
    public int PoolPerModel { get; init; } = 50;

    /// <summary>Weights a coordinate may take (the scale of a blend does not matter, only the ratios).</summary>
    public IReadOnlyList<float> Grid { get; init; } = [0f, 0.05f, 0.1f, 0.2f, 0.35f, 0.5f, 0.75f, 1f, 1.5f, 2f];

    /// <summary>Coordinate sweeps at most.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>
    /// A move is kept only when the users' mean gain exceeds this many standard errors of the per-user gains (a paired
    /// test), so that gains at the level of the validation noise do not move weights.
    /// </summary>
    public double MinStandardErrors { get; init; } = 1;

    /// <summary>
    /// Models whose worse-fold score (relative to each fold's best) is within this of the most robust model's are taken
    /// as equally robust, and the search starts from the first of them, or from the best on the mean of those that beat
    /// it beyond the noise (<see cref="BlendWeightSearch"/>).
    /// </summary>
    /// <remarks>
    /// On MovieLens with a random holdout, ALS (tuned on validation) led EASE by 9 % on the newest-10 % fold and trailed
    /// it by 8 % on the random fold, so that ALS was ahead in its worse fold by 0.2 % and the blend started, and stayed,
    /// at ALS alone: 7 % below EASE on the test split. With 128 factors ALS then scored as EASE on the newest-10 % fold
    /// and 1.2 % above it on the random fold (0.8 % on the mean, within the noise) and was again 7 % below it on the
    /// test split; hence a model leaves the prior only with a gain beyond the noise, as each move of the search needs.
    /// </remarks>
    public double StartTolerance { get; init; } = 0.02;

    /// <summary>Threads; -1 for the default. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>What <see cref="BlendWeightSearch.Fit"/> found.</summary>
/// <param name="Weights">One weight per model, summing to 1 (zero for models the blend leaves out).</param>
/// <param name="Objective">nDCG of the blend on the users.</param>
/// <param name="SingleObjectives">nDCG of each model alone on the same users.</param>
/// <param name="FoldObjectives">nDCG of each model alone on fold 0 and on fold 1 (row-major, two per model).</param>
/// <param name="Start">The model the search started from (<see cref="BlendWeightSearch.StartModel"/>): the blend scores at least as it does.</param>
public sealed record BlendFit(float[] Weights, double Objective, double[] SingleObjectives, double[] FoldObjectives, int Start);

/// <summary>
/// Fits the weights of a <see cref="BlendModel"/> on validation users: coordinate ascent of nDCG over a grid of
/// weights, started from the single model that is best in its worse fold (each fold against that fold's best model;
/// among those about as good there, the first in the list unless another beats it beyond the noise:
/// <see cref="StartModel"/>), so that the blend is never below that model on these users. A move is kept only when the
/// gain is beyond the noise of the per-user gains and neither fold loses (the folds are e.g. a temporal and a random
/// holdout). Every model's per-user standardized scores are computed once for a pool of candidates (the union of each
/// model's best items), so that trying a weight vector costs a pass over the pools. Deterministic: the same users and
/// models give the same weights, whatever the thread count.
/// </summary>
public static class BlendWeightSearch
{
    /// <summary>Fits the weights.</summary>
    /// <param name="models">The models to blend (same catalogue).</param>
    /// <param name="histories">Each user's history item indices.</param>
    /// <param name="historyWeights">Their weights (empty arrays mean all 1).</param>
    /// <param name="targets">Each user's held-out items.</param>
    /// <param name="folds">Each user's fold (0 or 1): a move must not lower either fold's objective; null for one fold.</param>
    /// <param name="options">Settings.</param>
    /// <exception cref="ArgumentException">No models, models of different catalogues, or arrays of different lengths.</exception>
    public static BlendFit Fit(
        IReadOnlyList<RecommenderModel> models,
        IReadOnlyList<int[]> histories,
        IReadOnlyList<float[]> historyWeights,
        IReadOnlyList<int[]> targets,
        IReadOnlyList<int>? folds = null,
        BlendSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(historyWeights);
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new BlendSearchOptions();
        if (models.Count == 0 || models.Any(m => m.ItemCount != models[0].ItemCount))
        {
            throw new ArgumentException("A blend needs models of the same catalogue.", nameof(models));
        }

        if (historyWeights.Count != histories.Count || targets.Count != histories.Count || (folds is not null && folds.Count != histories.Count))
        {
            throw new ArgumentException("histories, historyWeights, targets and folds must have one entry per user.", nameof(targets));
        }

        var pools = BuildPools(models, histories, historyWeights, targets, options);
        var fold = folds is null ? new int[histories.Count] : [.. folds];
        var count = models.Count;
        var single = new Score[count];
        for (var m = 0; m < count; m++)
        {
            var unit = new float[count];
            unit[m] = 1f;
            single[m] = Evaluate(pools, fold, unit, options);
        }

        var start = StartModel(
            [.. single.Select(s => (s.Mean, s.Fold0, s.Fold1))], options.StartTolerance, (challenger, incumbent) => Significant(single[challenger], single[incumbent], options.MinStandardErrors));
        var weights = new float[count];
        weights[start] = 1f;
        var best = Evaluate(pools, fold, weights, options);
        for (var round = 0; round < options.Rounds && count > 1; round++)
        {
            var moved = false;
            for (var m = 0; m < count; m++)
            {
                var trial = (float[])weights.Clone();
                var chosen = weights[m];
                var chosenScore = best;
                foreach (var value in options.Grid)
                {
                    trial[m] = value;
                    if (value == weights[m] || trial.All(w => w == 0f))
                    {
                        continue;
                    }

                    // Kept only when the gain is clear of the noise and neither fold falls: a gain that one protocol
                    // (or one half of the users) does not share is taken for noise.
                    var score = Evaluate(pools, fold, trial, options);
                    if (score.Mean > chosenScore.Mean && Significant(score, best, options.MinStandardErrors)
                        && score.Fold0 >= best.Fold0 && score.Fold1 >= best.Fold1)
                    {
                        chosen = value;
                        chosenScore = score;
                    }
                }

                if (chosen != weights[m])
                {
                    weights[m] = chosen;
                    best = chosenScore;
                    moved = true;
                }
            }

            if (!moved)
            {
                break;
            }
        }

        var total = weights.Sum();
        for (var m = 0; m < count; m++)
        {
            weights[m] /= total;
        }

        return new BlendFit(weights, best.Mean, [.. single.Select(s => s.Mean)], [.. single.SelectMany(s => new[] { s.Fold0, s.Fold1 })], start);
    }

    /// <summary>
    /// The model the search starts from: among the models closest to the best in their worse fold (each fold's score
    /// relative to that fold's best; within <paramref name="tolerance"/> of the most robust, since a model that wins one
    /// protocol by much and loses the other is the brittle choice), the first in the list (the caller's prior), unless
    /// another of them beats it on the mean by more than the noise (<paramref name="beats"/>: challenger, incumbent;
    /// null for any higher mean); then the best on the mean of those that do.
    /// </summary>
    internal static int StartModel(IReadOnlyList<(double Mean, double Fold0, double Fold1)> single, double tolerance, Func<int, int, bool>? beats = null)
    {
        var best0 = single.Max(s => s.Fold0);
        var best1 = single.Max(s => s.Fold1);
        double Worst((double Mean, double Fold0, double Fold1) s) => Math.Min(best0 > 0 ? s.Fold0 / best0 : 1, best1 > 0 ? s.Fold1 / best1 : 1);
        var robust = single.Max(Worst) - tolerance;
        var candidates = Enumerable.Range(0, single.Count).Where(m => Worst(single[m]) >= robust).ToArray();
        var prior = candidates[0];
        var start = prior;
        foreach (var m in candidates)
        {
            if (single[m].Mean > single[start].Mean && (beats is null || beats(m, prior)))
            {
                start = m;
            }
        }

        return start;
    }

    /// <summary>Per user: the pooled candidates, their standardized scores per model (row-major) and whether each is a target.</summary>
    private sealed record Pool(int[] Items, float[] Scores, bool[] Relevant, int TargetCount);

    private static Pool[] BuildPools(
        IReadOnlyList<RecommenderModel> models, IReadOnlyList<int[]> histories, IReadOnlyList<float[]> historyWeights, IReadOnlyList<int[]> targets, BlendSearchOptions options)
    {
        var n = models[0].ItemCount;
        var count = models.Count;
        var pools = new Pool[histories.Count];
        Parallel.For(
            0,
            histories.Count,
            TrainingScheduler.Shared.ParallelOptions(options.MaxDegreeOfParallelism),
            () => (Standardized: new float[count * n], Masked: new float[n]),
            (u, _, buffers) =>
            {
                var (standardized, masked) = buffers;
                var history = histories[u];
                var pool = new SortedSet<int>();
                var top = new ScoredItem[Math.Min(options.PoolPerModel, n)];
                for (var m = 0; m < count; m++)
                {
                    var z = standardized.AsSpan(m * n, n);
                    models[m].Score(history, historyWeights[u], z);
                    BlendModel.Standardize(z);
                    z.CopyTo(masked);
                    foreach (var h in history)
                    {
                        masked[h] = float.NaN;
                    }

                    var found = TopKSelector.Select(masked, top);
                    for (var t = 0; t < found; t++)
                    {
                        pool.Add(top[t].Item);
                    }
                }

                var items = pool.ToArray();
                var scores = new float[items.Length * count];
                for (var c = 0; c < items.Length; c++)
                {
                    for (var m = 0; m < count; m++)
                    {
                        scores[(c * count) + m] = standardized[(m * n) + items[c]];
                    }
                }

                var relevant = targets[u].ToHashSet();
                pools[u] = new Pool(items, scores, [.. items.Select(relevant.Contains)], relevant.Count);
                return buffers;
            },
            _ => { });
        return pools;
    }

    /// <summary>Mean nDCG at the depth of the blend with <paramref name="weights"/> over the pools: over all users and per fold (a fold without users counts as 0).</summary>
    private static Score Evaluate(Pool[] pools, int[] fold, float[] weights, BlendSearchOptions options)
    {
        var perUser = new double[pools.Length];
        var depth = options.Depth;
        Parallel.For(0, pools.Length, TrainingScheduler.Shared.ParallelOptions(options.MaxDegreeOfParallelism), u =>
        {
            var pool = pools[u];
            var count = weights.Length;
            var blended = new float[pool.Items.Length];
            for (var c = 0; c < blended.Length; c++)
            {
                var s = 0f;
                for (var m = 0; m < count; m++)
                {
                    s += weights[m] * pool.Scores[(c * count) + m];
                }

                blended[c] = s;
            }

            // Pool items are ascending, so the selector's tie rule (ascending position) is ascending item index.
            var top = TopKSelector.Select(blended, depth);
            var dcg = 0d;
            for (var r = 0; r < top.Length; r++)
            {
                dcg += pool.Relevant[top[r].Item] ? 1 / Math.Log(r + 2) : 0;
            }

            var ideal = 0d;
            for (var r = 0; r < Math.Min(depth, pool.TargetCount); r++)
            {
                ideal += 1 / Math.Log(r + 2);
            }

            perUser[u] = ideal > 0 ? dcg / ideal : 0;
        });
        double total = 0, total0 = 0, total1 = 0;
        var count1 = 0;
        for (var u = 0; u < perUser.Length; u++)
        {
            total += perUser[u];
            total0 += fold[u] == 0 ? perUser[u] : 0;
            total1 += fold[u] == 0 ? 0 : perUser[u];
            count1 += fold[u] == 0 ? 0 : 1;
        }

        var count0 = perUser.Length - count1;
        return new Score(perUser.Length == 0 ? 0 : total / perUser.Length, count0 == 0 ? 0 : total0 / count0, count1 == 0 ? 0 : total1 / count1, perUser);
    }

    /// <summary>Whether <paramref name="trial"/> beats <paramref name="current"/> by more than <paramref name="standardErrors"/> standard errors of the paired per-user differences.</summary>
    private static bool Significant(Score trial, Score current, double standardErrors)
    {
        var gain = PairedGain.Of(trial.PerUser, current.PerUser);
        return gain.Count < 2 ? trial.Mean > current.Mean : gain.Mean > 0 && gain.Mean > standardErrors * gain.StandardError;
    }

    /// <summary>The objective over all users, per fold, and per user.</summary>
    private sealed record Score(double Mean, double Fold0, double Fold1, double[] PerUser);
}
