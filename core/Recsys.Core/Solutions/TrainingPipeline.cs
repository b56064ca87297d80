using System.Diagnostics;
using System.Globalization;
using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Evaluation;
using Recsys.Core.Recipes;

namespace Recsys.Core.Solutions;

/// <summary>Settings of a training run.</summary>
public sealed record TrainingSettings
{
    /// <summary>Seed of the split and of HPO sampling.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Most validation users (model selection, HPO).</summary>
    public int MaxValidationUsers { get; init; } = 10_000;

    /// <summary>Validation users a large catalogue still gets (when the data has them), whatever <see cref="ValidationScoreBudget"/> says.</summary>
    public int MinValidationUsers { get; init; } = 2_000;

    /// <summary>
    /// Most (user, item) scores one pass over the validation users may compute: each candidate, blend and recency
    /// trial scores every validation user over the whole catalogue, so a larger catalogue gets fewer validation users.
    /// </summary>
    public long ValidationScoreBudget { get; init; } = 250_000_000;

    /// <summary>Validation users of a model choice on a catalogue of <paramref name="itemCount"/> items (fewer when the data has fewer).</summary>
    public int ValidationUsers(int itemCount)
        => (int)Math.Clamp(ValidationScoreBudget / Math.Max(1, itemCount), Math.Min(MinValidationUsers, MaxValidationUsers), MaxValidationUsers);

    /// <summary>Most held-out users scored for the metrics.</summary>
    public int MaxScoredTestUsers { get; init; } = 10_000;

    /// <summary>Metric key maximized (or minimized) on the validation split.</summary>
    public string ObjectiveMetric { get; init; } = OfflineMetrics.DefaultObjective;

    /// <summary>Whether the objective is maximized.</summary>
    public bool Maximize { get; init; } = true;
}

/// <summary>What a training run produced.</summary>
/// <param name="Model">The model trained on all the data.</param>
/// <param name="Hyperparameters">The configuration chosen.</param>
/// <param name="Metrics">Offline metrics on the held-out users.</param>
/// <param name="Evaluation">The split, its sizes and the configurations tried.</param>
/// <param name="Ranker">The learned ranker (personalized-ranking), or null.</param>
/// <param name="Timings">Seconds per phase.</param>
public sealed record TrainingOutcome(
    RecommenderModel Model,
    Hyperparameters Hyperparameters,
    IReadOnlyDictionary<string, double> Metrics,
    EvaluationSummary Evaluation,
    ILearnedRanker? Ranker,
    IReadOnlyDictionary<string, double> Timings)
{
    /// <summary>The boost of users' latest interactions the served model applies to their histories (none unless <c>model=auto</c> chose one).</summary>
    public RecencyBoost Recency { get; init; } = RecencyBoost.None;

    /// <summary>When <see cref="Recency"/> is active: the recency rank of every interaction of the training data (aligned with its matrix).</summary>
    public byte[]? RecencyRanks { get; init; }
}

/// <summary>
/// One training run, independent of storage: split the data (Personalize's split plus a validation split), choose
/// among the configurations on the validation users (model selection and HPO) — or, for <c>model=auto</c>, fit a blend
/// of every candidate model's standardized scores on them — train the learning-to-rank stage when the recipe has one,
/// compute the offline metrics on the held-out users, and train the served model on all the data.
/// </summary>
/// <remarks>
/// Everything the split and the evaluation models hold is released before the served model is trained, so that the
/// peak memory is that of the larger of the two phases, not of both.
/// </remarks>
public static class TrainingPipeline
{
    /// <summary>Validation users whose candidate lists train the learned ranker of personalized-ranking.</summary>
    private const int RankerValidationUsers = 5_000;

    /// <summary>Runs the pipeline.</summary>
    /// <param name="data">The filtered training data.</param>
    /// <param name="recipe">The recipe.</param>
    /// <param name="configurations">Configurations to choose from (<c>model=auto</c> expands to several).</param>
    /// <param name="settings">Split and objective settings.</param>
    /// <param name="ranking">The learning-to-rank implementation (personalized-ranking only).</param>
    /// <param name="progress">Receives (phase, percent) as the run advances.</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    public static TrainingOutcome Run(
        TrainingDataset data,
        Recipe recipe,
        IReadOnlyList<Hyperparameters> configurations,
        TrainingSettings settings,
        ILearningToRank? ranking = null,
        Action<string, int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(configurations);
        ArgumentNullException.ThrowIfNull(settings);
        var timings = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        var plan = Evaluate(data, recipe, configurations, settings, ranking, progress, timings, clock, cancellationToken);

        // The split and the evaluation models are unreachable now: collect them before the largest allocations.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        progress?.Invoke(TrainingPhase.TrainingFinal, 75);
        cancellationToken.ThrowIfCancellationRequested();
        RecommenderModel final;
        if (plan.Members.Count == 1)
        {
            final = RecipeModels.Train(recipe, plan.Members[0], data.Matrix, data);
        }
        else
        {
            var models = new List<RecommenderModel>();
            foreach (var member in plan.Members)
            {
                cancellationToken.ThrowIfCancellationRequested();
                models.Add(RecipeModels.Train(recipe, member, data.Matrix, data));
            }

            final = new BlendModel(models, plan.Weights);
        }

        var ranks = plan.Recency.IsActive ? EvaluationSplit.RecencyRanks(data.Matrix, settings.Seed) : null;
        timings["final"] = Lap(clock);
        return new TrainingOutcome(final, plan.Chosen, plan.Metrics, plan.Summary!, plan.Ranker, timings) { Recency = plan.Recency, RecencyRanks = ranks };
    }

    /// <summary>
    /// Splits, chooses (or blends) on the validation users and scores the held-out users; returns what the final fit
    /// needs, and nothing of the split.
    /// </summary>
    private static Plan Evaluate(
        TrainingDataset data,
        Recipe recipe,
        IReadOnlyList<Hyperparameters> configurations,
        TrainingSettings settings,
        ILearningToRank? ranking,
        Action<string, int>? progress,
        Dictionary<string, double> timings,
        Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var isRanking = recipe.Name == RecipeCatalog.PersonalizedRanking;
        var split = EvaluationSplit.Create(
            data.Matrix, settings.Seed, isRanking ? RankerValidationUsers : settings.ValidationUsers(data.Matrix.ItemCount), settings.MaxScoredTestUsers);
        var hasModel = recipe.Hyperparameters.Any(h => h.Name == "model");
        var candidates = configurations.SelectMany(c => hasModel ? RecipeModels.ExpandAuto(c, split.Fit) : [c]).ToList();
        timings["split"] = Lap(clock);

        // model=auto blends its candidates (personalized-ranking keeps one base model under its ranker).
        var blend = !isRanking && configurations.Count == 1 && hasModel && configurations[0].GetString("model") == "auto"
            && candidates.Count > 1 && split.Validation.Count > 0 && settings.ObjectiveMetric == OfflineMetrics.DefaultObjective && settings.Maximize;
        progress?.Invoke(TrainingPhase.Tuning, 10);
        var plan = blend
            ? Blend(data, recipe, configurations[0], candidates, split, settings, progress, cancellationToken)
            : Choose(data, recipe, candidates, split, settings, searchEase: hasModel && configurations.Count == 1 && configurations[0].GetString("model") == "auto", progress, cancellationToken);
        timings["tuning"] = Lap(clock);
        progress?.Invoke(TrainingPhase.Evaluating, 60);
        cancellationToken.ThrowIfCancellationRequested();

        ILearnedRanker? ranker = null;
        RankingImprovement? improvement = null;
        IReadOnlyDictionary<string, double> testMetrics;
        if (isRanking)
        {
            if (ranking is null)
            {
                throw new InvalidOperationException("The personalized-ranking recipe needs a learning-to-rank implementation.");
            }

            var features = new RankingFeatures(split.Fit, data.ItemTokenOffsets, data.ItemTokenIds);
            var chosen = plan.Chosen;
            var depth = Math.Max(25, chosen.GetInt32("ranking_candidates"));
            var set = RankerTraining.BuildSet(plan.EvaluationModel, features, split.Validation, depth);
            ranker = ranking.Train(set, new RankerSettings(chosen.GetInt32("ranking_trees"), chosen.GetInt32("ranking_leaves"), chosen.GetDouble("ranking_learning_rate"), (int)(settings.Seed & 0x7FFFFFFF)));
            var reranker = new Reranker(plan.EvaluationModel, features, ranker, depth);
            testMetrics = OfflineMetrics.Compute(reranker.Recommend, split.Test, data.ItemIds.Count);
            var baseMetrics = OfflineMetrics.Compute(reranker.RecommendBase, split.Test, data.ItemIds.Count);
            improvement = new RankingImprovement(
                baseMetrics.GetValueOrDefault("normalized_discounted_cumulative_gain_at_10"),
                testMetrics.GetValueOrDefault("normalized_discounted_cumulative_gain_at_10"),
                depth);
        }
        else
        {
            testMetrics = OfflineMetrics.Compute(plan.EvaluationModel, split.Test.WithRecency(plan.Recency), data.ItemIds.Count);
        }

        timings["evaluation"] = Lap(clock);
        var summary = new EvaluationSummary(
            split.Description,
            split.TrainingUserCount,
            split.TestUserCount,
            split.Fit.NonZeroCount,
            split.TestInputCount,
            split.TestTargetCount,
            candidates.Count > 1 || isRanking ? split.Validation.Count : 0,
            data.ItemIds.Count,
            plan.Scores.Count > 0 ? plan.Scores : null,
            improvement,
            plan.BlendObjective,
            plan.RecencyReport);
        return plan with { Metrics = testMetrics, Summary = summary, Ranker = ranker, EvaluationModel = null! };
    }

    /// <summary>Fits every candidate on the training part, scores it alone on validation, and fits blend weights over all of them.</summary>
    private static Plan Blend(
        TrainingDataset data,
        Recipe recipe,
        Hyperparameters configuration,
        List<Hyperparameters> candidates,
        EvaluationSplit split,
        TrainingSettings settings,
        Action<string, int>? progress,
        CancellationToken cancellationToken)
    {
        // Each candidate is reported with its model and the hyperparameters of that model that vary between candidates.
        var varying = recipe.Hyperparameters.Select(h => h.Name).Where(n => candidates.Select(c => c.GetString(n)).Distinct().Count() > 1).ToArray();
        IReadOnlyDictionary<string, string> Reported(Hyperparameters candidate)
        {
            var model = candidate.GetString("model");
            var prefix = model == "item-knn" ? "knn_" : model + "_";
            return varying.Where(n => n == "model" || n.StartsWith(prefix, StringComparison.Ordinal) || (model == "rp3beta" && n == "knn_neighbors"))
                .ToDictionary(n => n, candidate.GetString);
        }

        // EASE's λ and ALS's strength are searched on validation first; only the best value's model is kept (a dense
        // EASE is the largest model, so its search holds at most two), and every value tried is reported.
        var models = new List<RecommenderModel>();
        var seconds = new List<double>();
        var searched = new Dictionary<int, (List<CandidateScore> Tried, CandidateScore Chosen)>();
        var members = new List<Hyperparameters>();
        for (var c = 0; c < candidates.Count; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (candidates[c].GetString("model") is var kind && kind is "ease" or "als")
            {
                var (model, chosen, chosenScore, tried) = kind == "ease"
                    ? SearchEaseLambda(data, recipe, candidates[c], split, settings, cancellationToken)
                    : SearchAlsStrength(data, recipe, candidates[c], split, settings, cancellationToken);
                searched[models.Count] = (tried, chosenScore);
                models.Add(model);
                members.Add(chosen);
                seconds.Add(chosenScore.Seconds);
            }
            else
            {
                var started = Stopwatch.GetTimestamp();
                models.Add(RecipeModels.Train(recipe, candidates[c], split.Fit, data));
                members.Add(candidates[c]);
                seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            progress?.Invoke(TrainingPhase.Tuning, 10 + (40 * (c + 1) / candidates.Count));
        }

        var validation = split.Validation;
        var fit = BlendWeightSearch.Fit(models, validation.History, validation.HistoryWeights, validation.Targets, split.ValidationFolds, new BlendSearchOptions());
        progress?.Invoke(TrainingPhase.Tuning, 55);
        var kept = Enumerable.Range(0, members.Count).Where(m => fit.Weights[m] > 0).ToArray();
        var scores = new List<CandidateScore>();
        for (var m = 0; m < members.Count; m++)
        {
            if (searched.TryGetValue(m, out var search))
            {
                // The values the search tried, the chosen one with its blend weight.
                scores.AddRange(search.Tried.Select(t => t with { BlendWeight = ReferenceEquals(t, search.Chosen) ? Math.Round(fit.Weights[m], 6) : 0 }));
            }
            else
            {
                scores.Add(new CandidateScore(Reported(members[m]), fit.SingleObjectives[m], seconds[m], Math.Round(fit.Weights[m], 6)));
            }
        }

        var evaluationModel = kept.Length == 1 ? models[kept[0]] : new BlendModel([.. kept.Select(m => models[m])], [.. kept.Select(m => fit.Weights[m])]);

        // Where time orders the data, how much the latest interactions count is chosen on the same users.
        var recency = RecencyBoost.None;
        HistoryRecency? report = null;
        if (split.IsTemporal && validation.HistoryRanks is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (recency, var trials) = RecencySearch.Choose(evaluationModel, validation, split.ValidationFolds);
            report = new HistoryRecency(Math.Round(recency.Floor, 6), Math.Round(recency.HalfLife, 6), trials);
        }

        // The version's hyperparameters stay model=auto (what it was asked for); the members and weights are in the evaluation summary.
        return new Plan([.. kept.Select(m => members[m])], [.. kept.Select(m => fit.Weights[m])], configuration, evaluationModel, scores, fit.Objective)
        {
            Recency = recency,
            RecencyReport = report,
        };
    }

    /// <summary>
    /// <see cref="LambdaSearch"/> over EASE's λ from the configured one, each fit on the training part and scored on
    /// the validation users by the run's objective; returns the best λ's model and configuration and every λ tried.
    /// Where the whole head is too costly to fit often enough, λ is searched on a smaller head
    /// (<see cref="RecipeModels.EaseSearchHeadItems"/>) and the whole head is fitted once, at the best λ, last in the list.
    /// </summary>
    private static (RecommenderModel Model, Hyperparameters Chosen, CandidateScore ChosenScore, List<CandidateScore> Tried) SearchEaseLambda(
        TrainingDataset data, Recipe recipe, Hyperparameters ease, EvaluationSplit split, TrainingSettings settings, CancellationToken cancellationToken)
    {
        var tried = new List<CandidateScore>();
        (RecommenderModel Model, Hyperparameters Configuration, CandidateScore Score) Fit(double lambda, int? headItems)
        {
            var configuration = ease.With("ease_lambda", lambda.ToString(CultureInfo.InvariantCulture));
            var reported = new Dictionary<string, string> { ["model"] = "ease", ["ease_lambda"] = configuration.GetString("ease_lambda") };
            if (headItems is { } items)
            {
                reported["ease_head_items"] = items.ToString(CultureInfo.InvariantCulture);
            }

            var (model, candidate) = FitAndScore(
                () => headItems is { } head ? RecipeModels.TrainEase(lambda, split.Fit, head) : RecipeModels.Train(recipe, configuration, split.Fit, data),
                reported, data, split, settings, tried, cancellationToken);
            return (model, configuration, candidate);
        }

        (RecommenderModel? Model, Hyperparameters Configuration, CandidateScore Score)? best = null;
        var bestScore = double.NegativeInfinity;
        var searchHead = RecipeModels.EaseSearchHeadItems(split.Fit);
        var bounds = recipe.Hyperparameters.First(h => h.Name == "ease_lambda");
        var fits = searchHead is null ? RecipeModels.EaseLambdaFits(split.Fit) : RecipeModels.MaxEaseLambdaFits;
        var edgeFits = fits == RecipeModels.MaxEaseLambdaFits ? RecipeModels.MaxEaseLambdaEdgeFits : 0;
        LambdaSearch.Run(ease.GetDouble("ease_lambda"), fits, bounds.MinValue ?? 1, bounds.MaxValue ?? 100_000, lambda =>
        {
            var (model, configuration, candidate) = Fit(lambda, searchHead);

            // Only the best model stays referenced (the earliest on ties, as LambdaSearch keeps); none of a search head's.
            var score = settings.Maximize ? candidate.Objective : -candidate.Objective;
            if (score > bestScore)
            {
                (best, bestScore) = ((searchHead is null ? model : null, configuration, candidate), score);
            }

            return score;
        }, edgeFits);
        var (bestModel, chosen, chosenScore) = best!.Value;
        if (bestModel is null)
        {
            // The served head at the λ the search head chose.
            (bestModel, chosen, chosenScore) = Fit(chosen.GetDouble("ease_lambda"), null);
        }

        return (bestModel, chosen, chosenScore, tried);
    }

    /// <summary>
    /// <see cref="LambdaSearch"/> over ALS's strength from the configured one: the confidence α of an observed
    /// interaction and the regularization move together (their configured ratio kept), each fit on the training part and
    /// scored on the validation users; returns the best fit's model and configuration and every value tried.
    /// </summary>
    /// <remarks>
    /// Measured on the quality suite's cases (ALS alone on their test splits): how strongly observed interactions and
    /// the regularization should weigh differs by an order of magnitude between shapes (α 10 with regularization 50 on
    /// MovieLens, α 40 with 200 on a 20k-item catalogue, where ALS then beat EASE), while their best ratio hardly moved.
    /// </remarks>
    private static (RecommenderModel Model, Hyperparameters Chosen, CandidateScore ChosenScore, List<CandidateScore> Tried) SearchAlsStrength(
        TrainingDataset data, Recipe recipe, Hyperparameters als, EvaluationSplit split, TrainingSettings settings, CancellationToken cancellationToken)
    {
        var tried = new List<CandidateScore>();
        (RecommenderModel Model, Hyperparameters Configuration, CandidateScore Score)? best = null;
        var bestScore = double.NegativeInfinity;
        var alpha = recipe.Hyperparameters.First(h => h.Name == "als_alpha");
        var regularization = recipe.Hyperparameters.First(h => h.Name == "als_regularization");
        var ratio = als.GetDouble("als_regularization") / als.GetDouble("als_alpha");
        var max = ratio > 0 ? Math.Min(alpha.MaxValue ?? 1000, (regularization.MaxValue ?? 1000) / ratio) : alpha.MaxValue ?? 1000;
        var min = Math.Min(alpha.MinValue ?? 0.01, max);
        LambdaSearch.Run(als.GetDouble("als_alpha"), RecipeModels.AlsStrengthFits(split.Fit, als), min, max, value =>
        {
            var configuration = als.With("als_alpha", value.ToString(CultureInfo.InvariantCulture))
                .With("als_regularization", Math.Round(value * ratio, 6).ToString(CultureInfo.InvariantCulture));
            var reported = new Dictionary<string, string>
            {
                ["model"] = "als",
                ["als_factors"] = configuration.GetString("als_factors"),
                ["als_alpha"] = configuration.GetString("als_alpha"),
                ["als_regularization"] = configuration.GetString("als_regularization"),
            };
            var (model, candidate) = FitAndScore(() => RecipeModels.Train(recipe, configuration, split.Fit, data), reported, data, split, settings, tried, cancellationToken);

            // Only the best model stays referenced (the earliest on ties, as LambdaSearch keeps).
            var score = settings.Maximize ? candidate.Objective : -candidate.Objective;
            if (best is null || score > bestScore)
            {
                (best, bestScore) = ((model, configuration, candidate), score);
            }

            return score;
        });
        return (best!.Value.Model, best.Value.Configuration, best.Value.Score, tried);
    }

    /// <summary>
    /// Fits one configuration of a search on the training part, scores it on the validation users by the run's objective
    /// and adds it to <paramref name="tried"/>, timed from fit to score.
    /// </summary>
    private static (RecommenderModel Model, CandidateScore Score) FitAndScore(
        Func<RecommenderModel> train,
        IReadOnlyDictionary<string, string> reported,
        TrainingDataset data,
        EvaluationSplit split,
        TrainingSettings settings,
        List<CandidateScore> tried,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        var model = train();
        var objective = OfflineMetrics.Compute(model, split.Validation, data.ItemIds.Count).GetValueOrDefault(settings.ObjectiveMetric);
        var candidate = new CandidateScore(reported, objective, Stopwatch.GetElapsedTime(started).TotalSeconds);
        tried.Add(candidate);
        return (model, candidate);
    }

    /// <summary>Trains every configuration on the training part and keeps the best on validation (one configuration needs no choice).</summary>
    private static Plan Choose(
        TrainingDataset data,
        Recipe recipe,
        List<Hyperparameters> candidates,
        EvaluationSplit split,
        TrainingSettings settings,
        bool searchEase,
        Action<string, int>? progress,
        CancellationToken cancellationToken)
    {
        RecommenderModel? chosenModel = null;
        var chosen = candidates[0];
        var scores = new List<CandidateScore>();
        if (candidates.Count > 1 && split.Validation.Count > 0)
        {
            var best = settings.Maximize ? double.NegativeInfinity : double.PositiveInfinity;
            var varying = recipe.Hyperparameters.Select(h => h.Name).Where(n => candidates.Select(c => c.GetString(n)).Distinct().Count() > 1).ToArray();
            for (var c = 0; c < candidates.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RecommenderModel model;
                Hyperparameters configuration;
                double objective;
                if (searchEase && candidates[c].GetString("model") == "ease")
                {
                    // model=auto's EASE: its λ searched on the same objective, every λ tried reported.
                    (model, configuration, var chosenScore, var tried) = SearchEaseLambda(data, recipe, candidates[c], split, settings, cancellationToken);
                    objective = chosenScore.Objective;
                    scores.AddRange(tried);
                }
                else
                {
                    var started = Stopwatch.GetTimestamp();
                    (model, configuration) = (RecipeModels.Train(recipe, candidates[c], split.Fit, data), candidates[c]);
                    objective = OfflineMetrics.Compute(model, split.Validation, data.ItemIds.Count).GetValueOrDefault(settings.ObjectiveMetric, double.NaN);
                    scores.Add(new CandidateScore(varying.ToDictionary(n => n, candidates[c].GetString), objective, Stopwatch.GetElapsedTime(started).TotalSeconds));
                }

                if (settings.Maximize ? objective > best : objective < best)
                {
                    best = objective;
                    chosen = configuration;
                    chosenModel = model;
                }

                progress?.Invoke(TrainingPhase.Tuning, 10 + (50 * (c + 1) / candidates.Count));
            }
        }

        chosenModel ??= RecipeModels.Train(recipe, chosen, split.Fit, data);
        return new Plan([chosen], [1f], chosen, chosenModel, scores, null);
    }

    private static double Lap(Stopwatch clock)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return Math.Round(seconds, 3);
    }

    /// <summary>What the evaluation decided: the configurations of the served model (one, or a blend's members with weights) and what to report.</summary>
    private sealed record Plan(
        IReadOnlyList<Hyperparameters> Members,
        float[] Weights,
        Hyperparameters Chosen,
        RecommenderModel EvaluationModel,
        List<CandidateScore> Scores,
        double? BlendObjective)
    {
        public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

        public EvaluationSummary? Summary { get; init; }

        public ILearnedRanker? Ranker { get; init; }

        public RecencyBoost Recency { get; init; } = RecencyBoost.None;

        public HistoryRecency? RecencyReport { get; init; }
    }
}

/// <summary>Offline metrics with Personalize's keys, plus recall, MAP and per-K values.</summary>
public static class OfflineMetrics
{
    /// <summary>The objective HPO and model selection use by default.</summary>
    public const string DefaultObjective = "normalized_discounted_cumulative_gain_at_10";

    /// <summary>Every key <see cref="Compute(RecommenderModel, UserSample, int)"/> returns.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "coverage", "mean_reciprocal_rank_at_25",
        "normalized_discounted_cumulative_gain_at_5", "normalized_discounted_cumulative_gain_at_10", "normalized_discounted_cumulative_gain_at_25",
        "precision_at_5", "precision_at_10", "precision_at_25",
        "recall_at_5", "recall_at_10", "recall_at_25",
        "mean_average_precision", "mean_average_precision_at_10", "evaluated_users",
    ];

    /// <summary>Scores the users of <paramref name="sample"/> with <paramref name="model"/> (history items excluded).</summary>
    public static IReadOnlyDictionary<string, double> Compute(RecommenderModel model, UserSample sample, int catalogSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Compute((history, weights) => model.Recommend(history, weights, 25).Select(s => s.Item).ToArray(), sample, catalogSize);
    }

    /// <summary>Scores the users of <paramref name="sample"/> with <paramref name="recommend"/> (history, weights → top 25).</summary>
    public static IReadOnlyDictionary<string, double> Compute(Func<int[], float[], int[]> recommend, UserSample sample, int catalogSize)
    {
        ArgumentNullException.ThrowIfNull(recommend);
        ArgumentNullException.ThrowIfNull(sample);
        var lists = new IReadOnlyList<int>[sample.Count];
        Parallel.For(0, sample.Count, TrainingScheduler.Shared.ParallelOptions(), u => lists[u] = recommend(sample.History[u], sample.HistoryWeights[u]));
        var metrics = RankingEvaluator.Evaluate(lists, sample.Targets.Select(t => (IReadOnlyCollection<int>)t).ToArray(), catalogSize);
        var result = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["coverage"] = Finite(metrics.Coverage),
            ["mean_reciprocal_rank_at_25"] = Finite(metrics.MeanReciprocalRank),
            ["mean_average_precision"] = Finite(metrics.Map),
            ["mean_average_precision_at_10"] = Finite(metrics.MapAtK),
            ["evaluated_users"] = metrics.UserCount,
        };
        foreach (var k in metrics.Ks)
        {
            var suffix = k.ToString(CultureInfo.InvariantCulture);
            result["normalized_discounted_cumulative_gain_at_" + suffix] = Finite(metrics.NdcgAt(k));
            result["precision_at_" + suffix] = Finite(metrics.PrecisionAt(k));
            result["recall_at_" + suffix] = Finite(metrics.RecallAt(k));
        }

        return result;
    }

    private static double Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : 0;
}

/// <summary>Builds the learning-to-rank training set from the validation users' candidate lists.</summary>
internal static class RankerTraining
{
    public static RankingTrainingSet BuildSet(RecommenderModel model, RankingFeatures features, UserSample users, int depth)
    {
        var rows = new List<float>();
        var labels = new List<float>();
        var groups = new List<int>();
        var buffer = new float[depth * RankingFeatures.Count];
        for (var u = 0; u < users.Count; u++)
        {
            var top = model.Recommend(users.History[u], users.HistoryWeights[u], depth);
            var targets = users.Targets[u].ToHashSet();
            if (top.Length == 0 || !top.Any(t => targets.Contains(t.Item)))
            {
                continue; // a group without a relevant candidate teaches LambdaRank nothing
            }

            var items = top.Select(t => t.Item).ToArray();
            var span = buffer.AsSpan(0, items.Length * RankingFeatures.Count);
            features.Compute(users.History[u], items, top.Select(t => t.Score).ToArray(), span);
            rows.AddRange(span.ToArray());
            foreach (var item in items)
            {
                labels.Add(targets.Contains(item) ? 1f : 0f);
                groups.Add(u);
            }
        }

        if (groups.Count == 0)
        {
            throw new InvalidOperationException("No validation user has a relevant item among the base model's candidates: there is too little data to train the ranker.");
        }

        return new RankingTrainingSet([.. rows], RankingFeatures.Count, [.. labels], [.. groups]);
    }
}

/// <summary>Base candidates re-ordered by the learned ranker.</summary>
internal sealed class Reranker(RecommenderModel model, RankingFeatures features, ILearnedRanker ranker, int depth)
{
    public int[] RecommendBase(int[] history, float[] weights) => model.Recommend(history, weights, 25).Select(s => s.Item).ToArray();

    public int[] Recommend(int[] history, float[] weights)
    {
        var top = model.Recommend(history, weights, Math.Max(depth, 25));
        var items = top.Select(t => t.Item).ToArray();
        var ranked = Rank(history, items, top.Select(t => t.Score).ToArray());
        return ranked.Take(25).ToArray();
    }

    /// <summary>The candidates ordered by the ranker (ties keep the base order).</summary>
    public int[] Rank(ReadOnlySpan<int> history, int[] items, float[] baseScores)
    {
        var rows = new float[items.Length * RankingFeatures.Count];
        features.Compute(history, items, baseScores, rows);
        var scores = new float[items.Length];
        ranker.Score(rows, scores);
        var order = Enumerable.Range(0, items.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        return order.Select(i => items[i]).ToArray();
    }
}
