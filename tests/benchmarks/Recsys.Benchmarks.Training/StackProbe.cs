using System.Globalization;
using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Linear;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Ranking;

namespace Recsys.Benchmarks;

/// <summary>Diagnostic: a LightGBM LambdaRank stack over the candidates' standardized scores, fitted on validation, against EASE alone.</summary>
internal static class StackProbe
{
    /// <summary>Whether log popularity is a feature beside the models' scores (<c>PROBE_EXTRA=0</c>: not).</summary>
    private static readonly int Extra = Environment.GetEnvironmentVariable("PROBE_EXTRA") == "0" ? 0 : 1;

    private static readonly string[] Others = ["als", "item-knn", "rp3beta"];

    public static int Run(string? caseFilter)
    {
        var depth = int.Parse(Environment.GetEnvironmentVariable("PROBE_DEPTH") ?? "50", CultureInfo.InvariantCulture);
        foreach (var (c, d, dataset, split) in QualityBenchmark.ProbeSplits(caseFilter))
        {
            var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
            var defaults = RecipeCatalog.Resolve(recipe, null, "algorithmHyperParameters", new Dictionary<string, string[]>());
            var best = (Val: -1.0, L: 0.0);
            foreach (var l in new double[] { 50, 100, 200, 400 })
            {
                var m = new EaseTrainer(new EaseOptions { Lambda = l, MaxItems = EaseTrainer.ItemLimit }).Fit(split.Fit);
                var val = OfflineMetrics.Compute(m, split.Validation, dataset.ItemIds.Count)[OfflineMetrics.DefaultObjective];
                best = val > best.Val ? (val, l) : best;
            }

            List<RecommenderModel> Models(InteractionMatrix x) =>
                [new EaseTrainer(new EaseOptions { Lambda = best.L, MaxItems = EaseTrainer.ItemLimit }).Fit(x), .. Others.Select(k => RecipeModels.Train(recipe, defaults.With("model", k), x, dataset))];
            var valModels = Models(split.Fit);
            var valPop = Popularity(split.Fit);
            var featureCount = valModels.Count + Extra;
            var rows = new List<float>();
            var labels = new List<float>();
            var groups = new List<int>();
            for (var u = 0; u < split.Validation.Count; u++)
            {
                var (items, f) = Features(valModels, valPop, split.Validation.History[u], split.Validation.HistoryWeights[u], depth);
                var targets = split.Validation.Targets[u].ToHashSet();
                if (!items.Any(targets.Contains))
                {
                    continue;
                }

                for (var i = 0; i < items.Length; i++)
                {
                    labels.Add(targets.Contains(items[i]) ? 1 : 0);
                    groups.Add(u);
                }

                rows.AddRange(f);
            }

            var set = new RankingTrainingSet([.. rows], featureCount, [.. labels], [.. groups]);
            var fullModels = Models(d.Binary);
            var fullPop = Popularity(d.Binary);
            var plain = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, fullModels[0]).Recommend)["nDCG10"];
            var line = new List<string>();
            foreach (var (trees, leaves, rate) in new[] { (50, 7, 0.05), (150, 7, 0.05), (150, 15, 0.05), (400, 15, 0.02) })
            {
                var ranker = new LightGbmLearningToRank().Train(set, new RankerSettings(trees, leaves, rate, 42));
                var test = SplitsBenchmark.Evaluate(d, (user, n) =>
                {
                    var (items, f) = Features(fullModels, fullPop, d.Binary.RowItems(user), d.Binary.RowWeights(user), depth);
                    var scores = new float[items.Length];
                    ranker.Score(f, scores);
                    return [.. items.Select((item, i) => new ScoredItem(item, scores[i])).OrderByDescending(s => s.Score).Take(n)];
                })["nDCG10"];
                line.Add(string.Format(CultureInfo.InvariantCulture, "{0}x{1}@{2}:{3:F4}({4:+0.0%;-0.0%})", trees, leaves, rate, test, (test / plain) - 1));
            }

            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "== {0}: EASE λ{1} {2:F4} | {3}", c.Name, best.L, plain, string.Join(' ', line)));
        }

        return 0;
    }

    private static float[] Popularity(InteractionMatrix x) => [.. x.ItemUserCounts().Select(n => MathF.Log(1 + n))];

    private static (int[] Items, float[] Features) Features(List<RecommenderModel> models, float[] popularity, ReadOnlySpan<int> history, ReadOnlySpan<float> weights, int depth)
    {
        var itemCount = models[0].ItemCount;
        var seen = new HashSet<int>(history.ToArray());
        var z = new float[models.Count][];
        for (var m = 0; m < models.Count; m++)
        {
            var s = new float[itemCount];
            models[m].Score(history, weights, s);
            double sum = 0, sq = 0;
            var n = 0;
            for (var i = 0; i < itemCount; i++)
            {
                if (!seen.Contains(i))
                {
                    sum += s[i];
                    sq += (double)s[i] * s[i];
                    n++;
                }
            }

            var mean = sum / Math.Max(1, n);
            var sd = Math.Sqrt(Math.Max(1e-12, (sq / Math.Max(1, n)) - (mean * mean)));
            for (var i = 0; i < itemCount; i++)
            {
                s[i] = (float)((s[i] - mean) / sd);
            }

            z[m] = s;
        }

        var items = Enumerable.Range(0, itemCount).Where(i => !seen.Contains(i)).OrderByDescending(i => z[0][i]).ThenBy(i => i).Take(depth).ToArray();
        var count = models.Count + Extra;
        var f = new float[items.Length * count];
        for (var c = 0; c < items.Length; c++)
        {
            var row = f.AsSpan(c * count, count);
            for (var m = 0; m < models.Count; m++)
            {
                row[m] = z[m][items[c]];
            }

            if (Extra > 0)
            {
                row[models.Count] = popularity[items[c]];
            }
        }

        return (items, f);
    }
}
