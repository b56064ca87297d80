using System.Globalization;
using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Linear;
using Recsys.Core.Solutions;

namespace Recsys.Benchmarks;

internal static class VariantProbe
{
    public static InteractionMatrix UserNormalized(InteractionMatrix x, double beta)
    {
        var scale = new float[x.UserCount];
        for (var u = 0; u < x.UserCount; u++)
        {
            scale[u] = (float)Math.Pow(Math.Max(1, x.RowLength(u)), -beta / 2);
        }

        var offsets = x.RowOffsets.ToArray();
        var w = x.Weights.ToArray();
        for (var u = 0; u < x.UserCount; u++)
        {
            for (var p = offsets[u]; p < offsets[u + 1]; p++)
            {
                w[p] *= scale[u];
            }
        }

        return InteractionMatrix.FromCsr(x.UserCount, x.ItemCount, offsets, x.ItemIndices.ToArray(), w, x.HasTimestamps ? x.Timestamps.ToArray() : null);
    }

    /// <summary>History weights by recency rank within each user: floor + (1 − floor)·0.5^(rank / (half · len)).</summary>
    public static InteractionMatrix Recency(SplitData d, double half, double floor, bool absolute)
    {
        var byUser = d.TrainRows.GroupBy(r => d.UserIndex[r.UserId]).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Timestamp).ThenBy(r => r.FileRow).Select(r => d.ItemIndex[r.ItemId]).ToArray());
        var users = new List<int>();
        var items = new List<int>();
        var weights = new List<float>();
        foreach (var (u, list) in byUser)
        {
            var h = absolute ? half : Math.Max(1, half * list.Length);
            for (var r = 0; r < list.Length; r++)
            {
                users.Add(u);
                items.Add(list[r]);
                weights.Add((float)(floor + ((1 - floor) * Math.Pow(0.5, r / h))));
            }
        }

        return InteractionMatrix.FromCoordinates(d.UserIds.Length, d.ItemIds.Length, [.. users], [.. items], [.. weights]);
    }

    public static int RunRecency(string? caseFilter)
    {
        foreach (var c in QualityBenchmark.ProbeCases(caseFilter))
        {
            var d = c.Load();
            if (Environment.GetEnvironmentVariable("PROBE_VALIDATION") is { } byTime)
            {
                d = d.ValidationSplit(byTime == "time");
            }

            Console.WriteLine($"== {c.Name}");
            foreach (var l in new double[] { 141 })
            {
                var full = new EaseTrainer(new EaseOptions { Lambda = l, MaxItems = EaseTrainer.ItemLimit }).Fit(d.Binary);
                var plain = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, full).Recommend)["nDCG10"];
                var line = new List<string>();
                foreach (var (half, floor, abs) in new[] { 5.0 }.SelectMany(h => new[] { 0.85, 0.7, 0.5, 0.3 }.Select(f => (h, f, true))))
                {
                    var t = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, full, Recency(d, half, floor, abs)).Recommend)["nDCG10"];
                    line.Add(string.Format(CultureInfo.InvariantCulture, "{0}{1}/{2}:{3:F4}", half, abs ? "abs" : "rel", floor, t));
                }

                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  lambda {0} plain {1:F4} | {2}", l, plain, string.Join(' ', line)));
            }
        }

        return 0;
    }

    public static int RunEnsemble(string? caseFilter)
    {
        (double Beta, double P)[] variants = [(0, 0), (0.5, 0), (0.25, 0.1), (0, 0.25)];
        foreach (var (c, d, dataset, split) in QualityBenchmark.ProbeSplits(caseFilter))
        {
            var finals = new List<RecommenderModel>();
            var tests = new List<double>();
            foreach (var (beta, p) in variants)
            {
                var fitM = UserNormalized(split.Fit, beta);
                var scale = Math.Pow((double)split.Fit.NonZeroCount / split.Fit.UserCount, -beta);
                var best = (Val: -1.0, L: 0.0);
                foreach (var l0 in new double[] { 50, 100, 141, 200, 283, 400, 800 })
                {
                    var m = new EaseTrainer(new EaseOptions { Lambda = l0 * scale, DropoutRate = p, MaxItems = EaseTrainer.ItemLimit }).Fit(fitM);
                    var val = OfflineMetrics.Compute(m, split.Validation, dataset.ItemIds.Count)[OfflineMetrics.DefaultObjective];
                    best = val > best.Val ? (val, l0) : best;
                }

                var full = new EaseTrainer(new EaseOptions { Lambda = best.L * scale, DropoutRate = p, MaxItems = EaseTrainer.ItemLimit }).Fit(UserNormalized(d.Binary, beta));
                finals.Add(full);
                tests.Add(SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, full).Recommend)["nDCG10"]);
            }

            var recipe = Recsys.Core.Recipes.RecipeCatalog.Get(Recsys.Core.Recipes.RecipeCatalog.UserPersonalization);
            var defaults = Recsys.Core.Recipes.RecipeCatalog.Resolve(recipe, null, "algorithmHyperParameters", new Dictionary<string, string[]>());
            finals.Add(RecipeModels.Train(recipe, defaults.With("model", "als"), d.Binary, dataset));
            double T(float[] w) => SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, new Recsys.Algorithms.Ensemble.BlendModel(finals, w)).Recommend)["nDCG10"];
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "== {0}: single {1} | A+B {2:F4} A+C {3:F4} A+D {4:F4} A+B+C+D {5:F4} A+.2ALS {6:F4} A+B+.2ALS {7:F4}",
                c.Name,
                string.Join(' ', tests.Select(t => t.ToString("F4", CultureInfo.InvariantCulture))),
                T([1, 1, 0, 0, 0]), T([1, 0, 1, 0, 0]), T([1, 0, 0, 1, 0]), T([1, 1, 1, 1, 0]), T([1, 0, 0, 0, 0.2f]), T([1, 1, 0, 0, 0.4f])));
        }

        return 0;
    }

    public static int Run(string? caseFilter)
    {
        (double Beta, double P)[] variants = Environment.GetEnvironmentVariable("PROBE_FEW") is null ? [(0, 0), (0.25, 0), (0.5, 0), (0, 0.1), (0, 0.25), (0.25, 0.1)] : [(0, 0), (0.25, 0.1), (0.5, 0), (0, 0.25)];
        foreach (var (c, d, dataset, split) in QualityBenchmark.ProbeSplits(caseFilter))
        {
            Console.WriteLine($"== {c.Name}");
            foreach (var (beta, p) in variants)
            {
                var fitM = UserNormalized(split.Fit, beta);
                var fullM = UserNormalized(d.Binary, beta);
                var meanLen = (double)split.Fit.NonZeroCount / split.Fit.UserCount;
                var scale = Math.Pow(meanLen, -beta);
                var line = new List<string>();
                var best = (Val: -1.0, Test: 0.0, L: 0.0);
                foreach (var l0 in Environment.GetEnvironmentVariable("PROBE_FEW") is null ? new double[] { 50, 100, 141, 200, 283, 400, 800 } : new double[] { 25, 50, 100, 200, 400 })
                {
                    var l = l0 * scale;
                    var m = new EaseTrainer(new EaseOptions { Lambda = l, DropoutRate = p, MaxItems = EaseTrainer.ItemLimit }).Fit(fitM);
                    var val = OfflineMetrics.Compute(m, split.Validation, dataset.ItemIds.Count)[OfflineMetrics.DefaultObjective];
                    var full = new EaseTrainer(new EaseOptions { Lambda = l, DropoutRate = p, MaxItems = EaseTrainer.ItemLimit }).Fit(fullM);
                    var test = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, full).Recommend)["nDCG10"];
                    line.Add(string.Format(CultureInfo.InvariantCulture, "{0}:{1:F4}/{2:F4}", l0, val, test));
                    if (val > best.Val)
                    {
                        best = (val, test, l0);
                    }
                }

                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  beta {0} p {1}: chosen {2} val {3:F4} TEST {4:F4} | {5}", beta, p, best.L, best.Val, best.Test, string.Join(' ', line)));
            }
        }

        return 0;
    }
}
