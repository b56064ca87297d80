using System.Globalization;
using Recsys.Algorithms;
using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Linear;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Benchmarks;

internal static class LambdaProbe
{
    public static int Run(string? caseFilter, double[] grid)
    {
        foreach (var (c, d, dataset, split) in QualityBenchmark.ProbeSplits(caseFilter))
        {
            Console.WriteLine($"== {c.Name}: {split.Description}; validation {split.Validation.Count} (temporal {split.TemporalValidationUsers})");
            var models = new List<RecommenderModel>();
            var test = new List<double>();
            var holdout = new List<double>();
            foreach (var l in grid)
            {
                var m = new EaseTrainer(new EaseOptions { Lambda = l, MaxItems = EaseTrainer.ItemLimit }).Fit(split.Fit);
                models.Add(m);
                holdout.Add(OfflineMetrics.Compute(m, split.Test, dataset.ItemIds.Count)[OfflineMetrics.DefaultObjective]);
                var full = new EaseTrainer(new EaseOptions { Lambda = l, MaxItems = EaseTrainer.ItemLimit }).Fit(d.Binary);
                test.Add(SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, full).Recommend)["nDCG10"]);
            }

            var v = split.Validation;
            var fit = BlendWeightSearch.Fit(models, v.History, v.HistoryWeights, v.Targets, split.ValidationFolds, new BlendSearchOptions());
            for (var i = 0; i < grid.Length; i++)
            {
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  lambda {0,6}  val {1:F4}  fold0 {2:F4}  fold1 {3:F4}  heldout {4:F4}  TEST {5:F4}", grid[i], fit.SingleObjectives[i], fit.FoldObjectives[2 * i], fit.FoldObjectives[(2 * i) + 1], holdout[i], test[i]));
            }

            var bestIndex = Array.IndexOf(fit.SingleObjectives, fit.SingleObjectives.Max());
            var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
            var defaults = RecipeCatalog.Resolve(recipe, null, "algorithmHyperParameters", new Dictionary<string, string[]>());
            string[] others = ["item-knn", "rp3beta", "als", "popularity"];
            var members = new List<RecommenderModel> { models[bestIndex] };
            var finals = new List<RecommenderModel> { new EaseTrainer(new EaseOptions { Lambda = grid[bestIndex], MaxItems = EaseTrainer.ItemLimit }).Fit(d.Binary) };
            foreach (var o in others)
            {
                members.Add(RecipeModels.Train(recipe, defaults.With("model", o), split.Fit, dataset));
                finals.Add(RecipeModels.Train(recipe, defaults.With("model", o), d.Binary, dataset));
            }

            foreach (var se in new double[] { 0, 1, 2 })
            {
                var bf = BlendWeightSearch.Fit(members, v.History, v.HistoryWeights, v.Targets, split.ValidationFolds, new BlendSearchOptions { MinStandardErrors = se });
                var blend = new BlendModel(finals, bf.Weights);
                var t = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, blend).Recommend)["nDCG10"];
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  blend se={0}: weights [{1}] val {2:F4} TEST {3:F4} (ease alone {4:F4})", se, string.Join(", ", bf.Weights.Select(w => w.ToString("F3", CultureInfo.InvariantCulture))), bf.Objective, t, test[bestIndex]));
            }
        }

        return 0;
    }
}
