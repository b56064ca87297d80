using System.Diagnostics;
using System.Globalization;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Benchmarks;

internal static class HeadProbe
{
    public static int Run(string? caseFilter, double[] fractions, double[] grid)
    {
        foreach (var (c, _, dataset, split) in QualityBenchmark.ProbeSplits(caseFilter))
        {
            var head = RecipeModels.EaseHeadItems(split.Fit);
            Console.WriteLine($"== {c.Name}: items {split.Fit.ItemCount} users {split.Fit.UserCount} head {head} fits {RecipeModels.EaseLambdaFits(split.Fit)} search head {RecipeModels.EaseSearchHeadItems(split.Fit)} est {RecipeModels.EaseCost(Math.Min(head, split.Fit.ItemCount), split.Fit.UserCount, split.Fit.NonZeroCount).Seconds:F1}s; validation {split.Validation.Count}");
            foreach (var f in fractions)
            {
                var n = Math.Max(1, (int)(Math.Min(head, split.Fit.ItemCount) * f));
                foreach (var l in grid)
                {
                    var started = Stopwatch.GetTimestamp();
                    var m = RecipeModels.TrainEase(l, split.Fit, n);
                    var fitSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    var val = OfflineMetrics.Compute(m, split.Validation, dataset.ItemIds.Count)[OfflineMetrics.DefaultObjective];
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  fraction {0:F2} (n {1}) lambda {2,6}  val {3:F4}  fit {4:F1}s total {5:F1}s", f, n, l, val, fitSeconds, Stopwatch.GetElapsedTime(started).TotalSeconds));
                }
            }
        }

        return 0;
    }

    /// <summary>The default alone on quality cases, against the best baseline stored in results/training-quality.json (the baselines are deterministic).</summary>
    public static int RunDefault(string caseFilter)
    {
        var stored = BenchmarkReport.Read("training", "quality")!["figures"]!["rows"]!.AsArray();
        foreach (var c in QualityBenchmark.ProbeCases(caseFilter))
        {
            var data = c.Load();
            var clock = Stopwatch.StartNew();
            var trained = SplitsBenchmark.UserPersonalization(data);
            var seconds = clock.Elapsed.TotalSeconds;
            var ndcg = SplitsBenchmark.Evaluate(data, trained.Recommend)["nDCG10"];
            var best = stored.First(r => (string)r!["case"]! == c.Name)!["best_baseline_nDCG10"]!.GetValue<double>();
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "== {0}: default nDCG@10 {1:F4}, best baseline {2:F4}, ratio {3:F3}, {4:F1} s; {5}", c.Name, ndcg, best, ndcg / best, seconds, trained.ExtraParams));
            foreach (var candidate in trained.Extra?["validation_candidates"]?.AsArray() ?? [])
            {
                Console.WriteLine($"   {candidate!["hyperparameters"]}: validation {candidate["validation_nDCG10"]}, weight {candidate["blend_weight"]}");
            }

            Console.WriteLine($"   recency {trained.Extra?["history_recency"]?.ToJsonString()}");
        }

        return 0;
    }
}
