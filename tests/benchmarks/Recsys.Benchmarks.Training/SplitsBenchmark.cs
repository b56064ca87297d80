using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Evaluation;
using Recsys.Algorithms.Factorization;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Popularity;
using Recsys.Algorithms.Similarity;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Benchmarks;

/// <summary>A trained recommender as the benchmark sees it: top-N for a train user index, seen items excluded.</summary>
internal delegate ScoredItem[] UserRecommender(int user, int count);

/// <summary>One algorithm configuration: a name, its parameters as text, and how to train it on a split.</summary>
/// <remarks><paramref name="Diagnostics"/> runs after the timed fit and adds figures to the row.</remarks>
internal sealed record AlgorithmRun(string Algo, string Params, Func<SplitData, int, TrainedRun> Train, Func<SplitData, int, JsonObject>? Diagnostics = null);

/// <summary>What training produced: the recommender, extra parameter text (e.g. tuning) and extra figures.</summary>
internal sealed record TrainedRun(UserRecommender Recommend, string ExtraParams = "", JsonObject? Extra = null);

/// <summary>
/// Trains every algorithm on the three fixed splits of ml-latest-small, scores top-N lists with the
/// PROTOCOL.md metrics and compares with reference_metrics.tsv.
/// </summary>
internal static class SplitsBenchmark
{
    public static readonly string[] Splits = ["stratified_user_seed42", "chrono_user_75", "personalize_holdout"];

    /// <summary>Seeds of the ALS seed sweep.</summary>
    private static readonly ulong[] s_seedSweep = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <summary>Our ALS rows and the implicit reference with the same settings.</summary>
    private static readonly (string Ours, string Reference)[] s_alsPairs =
    [
        ("als_default", "implicit_ALS_default"),
        ("als_reference_tuned_settings", "implicit_ALS_tuned"),
    ];

    private static readonly string[] s_metricColumns = ["MAP", "MAPat10", "nDCG10", "P10", "R10", "nDCG5", "nDCG25", "P5", "P25", "MRR25", "coverage25"];

    public static int Run(string? algoFilter, string? splitFilter, int threads, int cgSteps, string command)
    {
        var rows = new JsonArray();
        var table = new StringBuilder();
        var reference = ReadReference();
        foreach (var splitName in Splits.Where(s => splitFilter is null || s == splitFilter))
        {
            var data = SplitData.Load(splitName);
            Console.WriteLine($"== {splitName}: {data.UserIds.Length} users, {data.ItemIds.Length} items, {data.Binary.NonZeroCount} train cells, {data.TestUserIds.Length} test users");
            var ours = new List<(string Algo, string Params, Dictionary<string, double> Metrics, double Seconds)>();
            // The direct EASE solver takes minutes single-threaded; it runs only when asked for by name.
            var runs = Algorithms(cgSteps).Where(a => algoFilter is null
                ? !a.Algo.StartsWith("ease_direct", StringComparison.Ordinal)
                : a.Algo.Contains(algoFilter, StringComparison.OrdinalIgnoreCase));
            foreach (var run in runs)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var cpuBefore = CpuSeconds();
                var clock = Stopwatch.StartNew();
                var trained = run.Train(data, threads);
                var seconds = clock.Elapsed.TotalSeconds;
                var cpuSeconds = CpuSeconds() - cpuBefore;
                var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;
                var peakMb = BenchmarkReport.PeakWorkingSetBytes() / 1048576.0;
                var metrics = Evaluate(data, trained.Recommend);
                var parameters = run.Params + trained.ExtraParams;
                ours.Add((run.Algo, parameters, metrics, seconds));

                var row = new JsonObject { ["split"] = splitName, ["algo"] = run.Algo, ["params"] = parameters };
                foreach (var column in s_metricColumns)
                {
                    row[column] = metrics.TryGetValue(column, out var value) ? Math.Round(value, 6) : null;
                }

                row["train_seconds"] = Math.Round(seconds, 4);
                row["train_cpu_seconds"] = Math.Round(cpuSeconds, 4);
                row["allocated_mb_during_fit"] = Math.Round(allocatedMb, 1);
                row["process_peak_working_set_mb"] = Math.Round(peakMb, 1);
                if (trained.Extra is not null)
                {
                    foreach (var (key, value) in trained.Extra)
                    {
                        row[key] = value?.DeepClone();
                    }
                }

                if (run.Diagnostics is not null)
                {
                    foreach (var (key, value) in run.Diagnostics(data, threads))
                    {
                        row[key] = value?.DeepClone();
                    }
                }

                rows.Add(row);
                Console.WriteLine(FormatRow(run.Algo, metrics, seconds) + "  " + parameters);
            }

            table.AppendLine(CultureInfo.InvariantCulture, $"### {splitName}");
            table.AppendLine(Header());
            foreach (var (algo, _, metrics, seconds) in ours)
            {
                table.AppendLine(FormatRow("ours " + algo, metrics, seconds));
            }

            foreach (var (algo, metrics, seconds) in reference.Where(r => r.Split == splitName).Select(r => (r.Algo, r.Metrics, r.Seconds)))
            {
                table.AppendLine(FormatRow("ref  " + algo, metrics, seconds));
            }

            if (ours.Count > 0)
            {
                var best = ours.MaxBy(o => o.Metrics["nDCG10"]);
                var peer = reference.Where(r => r.Split == splitName).MaxBy(r => r.Metrics["nDCG10"]);
                table.AppendLine(CultureInfo.InvariantCulture, $"best ours (this run): {best.Algo} nDCG10 {best.Metrics["nDCG10"]:F6} vs best peer {peer.Algo} {peer.Metrics["nDCG10"]:F6}");
                var personalization = ours.Where(o => o.Algo == "user-personalization").ToArray();
                if (personalization.Length == 1)
                {
                    var up = personalization[0];
                    var als = reference.Where(r => r.Split == splitName && r.Algo.StartsWith("implicit_ALS", StringComparison.Ordinal)).MaxBy(r => r.Metrics["nDCG10"]);
                    table.AppendLine(CultureInfo.InvariantCulture, $"user-personalization (defaults): nDCG10 {up.Metrics["nDCG10"]:F6} vs best peer {peer.Metrics["nDCG10"]:F6}, better ALS ref {als.Metrics["nDCG10"]:F6}; trained in {up.Seconds:F2} s");
                }

                foreach (var (oursName, referenceName) in s_alsPairs)
                {
                    var row = rows.OfType<JsonObject>().FirstOrDefault(r => r["split"]!.GetValue<string>() == splitName && r["algo"]!.GetValue<string>() == oursName);
                    if (row?["nDCG10_seed_mean"] is { } mean)
                    {
                        var referenceValue = reference.Single(r => r.Split == splitName && r.Algo == referenceName).Metrics["nDCG10"];
                        table.AppendLine(CultureInfo.InvariantCulture, $"{oursName}: nDCG10 seed 42 {row["nDCG10"]!.GetValue<double>():F4}, seeds 0-9 {mean.GetValue<double>():F4} ± {row["nDCG10_seed_sd"]!.GetValue<double>():F4} vs {referenceName} {referenceValue:F4}; from implicit's start: seed 42 {row["implicit_init_nDCG10_seed42"]!.GetValue<double>():F4}, seeds 0-9 {row["implicit_init_nDCG10_seed_mean"]!.GetValue<double>():F4} ± {row["implicit_init_nDCG10_seed_sd"]!.GetValue<double>():F4}");
                    }
                }
            }

            table.AppendLine();
        }

        Console.WriteLine();
        Console.WriteLine(table.ToString());
        var outputRows = rows;
        var name = algoFilter is null && splitFilter is null ? "splits" : "splits-partial";
        var reportCommand = command;
        JsonArray? updates = null;
        if (name == "splits-partial" && TryMergeIntoFullResults(rows, threads, command, out var merged, out var fullCommand, out var mergedUpdates))
        {
            // A partial run (e.g. --algo als_) replaces its rows in training-splits.json and keeps every other row.
            outputRows = merged;
            name = "splits";
            reportCommand = fullCommand;
            updates = mergedUpdates;
        }

        var figures = new JsonObject
        {
            ["threads"] = threads,
            ["note"] = "train_seconds: wall-clock of fitting only; train_cpu_seconds: process CPU time over the same span (robust to other load on the machine) (tuning included where the params say so); metrics per PROTOCOL.md; process_peak_working_set_mb is the process's peak so far (monotone over the run). ALS rows: the row is seed 42 (as the implicit references); nDCG10_seed_mean/sd are over seeds 0-9 (sample sd), trained outside the timed fit. The implicit references are single runs with random_state=42, so their own seed noise is not in the comparison; implicit_init_*: the same trainer started from implicit's exact initial factors (numpy default_rng(seed).random(float32)*0.01), whose seed 42 reproduces the reference row and whose mean over seeds 0-9 estimates implicit's own seed mean.",
            ["rows"] = outputRows,
            ["summary"] = Summarize(outputRows, reference),
        };
        if (updates is not null)
        {
            figures["partial_updates"] = updates;
        }

        Console.WriteLine("wrote " + BenchmarkReport.Write("training", name, reportCommand, figures));
        return 0;
    }

    /// <summary>
    /// Per split, from the result rows: our best row vs the best peer, the user-personalization gate, and our ALS
    /// (seed 42 and the mean over seeds 0-9) vs implicit ALS with the same settings.
    /// </summary>
    private static JsonObject Summarize(JsonArray rows, List<(string Split, string Algo, Dictionary<string, double> Metrics, double Seconds)> reference)
    {
        var summary = new JsonObject();
        foreach (var split in Splits)
        {
            var splitRows = rows.OfType<JsonObject>().Where(r => r["split"]!.GetValue<string>() == split).ToArray();
            if (splitRows.Length == 0)
            {
                continue;
            }

            static string Algo(JsonObject row) => row["algo"]!.GetValue<string>();
            static double Value(JsonObject row, string key) => row[key]!.GetValue<double>();
            var best = splitRows.MaxBy(r => Value(r, "nDCG10"))!;
            var peer = reference.Where(r => r.Split == split).MaxBy(r => r.Metrics["nDCG10"]);
            var entry = new JsonObject
            {
                ["best_ours"] = Algo(best),
                ["best_ours_nDCG10"] = Value(best, "nDCG10"),
                ["best_peer"] = peer.Algo,
                ["best_peer_nDCG10"] = peer.Metrics["nDCG10"],
            };

            if (splitRows.FirstOrDefault(r => Algo(r) == "user-personalization") is { } up)
            {
                // The issue's gate: default user-personalization >= the best peer and >= the better implicit ALS reference.
                var als = reference.Where(r => r.Split == split && r.Algo.StartsWith("implicit_ALS", StringComparison.Ordinal)).MaxBy(r => r.Metrics["nDCG10"]);
                var ndcg = Value(up, "nDCG10");
                entry["user_personalization"] = new JsonObject
                {
                    ["nDCG10"] = ndcg,
                    ["train_seconds"] = Value(up, "train_seconds"),
                    ["best_peer_nDCG10"] = peer.Metrics["nDCG10"],
                    ["better_als_reference"] = als.Algo,
                    ["better_als_reference_nDCG10"] = als.Metrics["nDCG10"],
                    ["at_least_best_peer"] = ndcg >= peer.Metrics["nDCG10"],
                    ["at_least_better_als_reference"] = ndcg >= als.Metrics["nDCG10"],
                };
            }

            // The issue's gate "our ALS alone is at least implicit ALS with the same settings", judged on the seed mean.
            var alsComparison = new JsonObject();
            var allMeansAtLeast = true;
            foreach (var (oursName, referenceName) in s_alsPairs)
            {
                if (splitRows.FirstOrDefault(r => Algo(r) == oursName) is not { } row || row["nDCG10_seed_mean"] is null)
                {
                    continue;
                }

                var referenceValue = reference.Single(r => r.Split == split && r.Algo == referenceName).Metrics["nDCG10"];
                var mean = Value(row, "nDCG10_seed_mean");
                var sd = Value(row, "nDCG10_seed_sd");
                var single = Value(row, "nDCG10");
                var comparison = new JsonObject
                {
                    ["reference"] = referenceName,
                    ["reference_nDCG10_seed42"] = referenceValue,
                    ["nDCG10_seed42"] = single,
                    ["nDCG10_seed_mean"] = mean,
                    ["nDCG10_seed_sd"] = sd,
                    ["seeds"] = "0-9",
                    ["seed42_at_least_reference"] = single >= referenceValue,
                    ["mean_at_least_reference"] = mean >= referenceValue,
                    ["mean_minus_reference_in_sd"] = sd > 0 ? Math.Round((mean - referenceValue) / sd, 2) : null,
                };
                if (row["implicit_init_nDCG10_seed_mean"] is not null)
                {
                    // Our trainer from implicit's exact start (numpy's generator): seed 42 reproduces the reference row,
                    // and the mean over the same seeds is implicit's own seed mean, the like-for-like comparison.
                    var implicitMean = Value(row, "implicit_init_nDCG10_seed_mean");
                    comparison["implicit_init_nDCG10_seed42"] = Value(row, "implicit_init_nDCG10_seed42");
                    comparison["implicit_init_nDCG10_seed_mean"] = implicitMean;
                    comparison["implicit_init_nDCG10_seed_sd"] = Value(row, "implicit_init_nDCG10_seed_sd");
                    comparison["mean_minus_implicit_init_mean"] = Math.Round(mean - implicitMean, 6);
                }

                alsComparison[oursName] = comparison;
                allMeansAtLeast &= mean >= referenceValue;
            }

            if (alsComparison.Count > 0)
            {
                entry["als_vs_implicit"] = alsComparison;
                entry["als_mean_at_least_reference"] = allMeansAtLeast;
            }

            summary[split] = entry;
        }

        return summary;
    }

    /// <summary>
    /// Merges the rows of a partial run into <c>results/training-splits.json</c>: a row with the same split and algo is
    /// replaced in place, a new one goes after its split's last row, and every other row is kept. Refuses (returns
    /// false) when there is no such file or it was measured with another thread count.
    /// </summary>
    private static bool TryMergeIntoFullResults(JsonArray fresh, int threads, string command, out JsonArray merged, out string fullCommand, out JsonArray updates)
    {
        merged = [];
        fullCommand = command;
        updates = [];
        if (BenchmarkReport.Read("training", "splits") is not { } existing)
        {
            return false;
        }

        var figures = existing["figures"]!.AsObject();
        if (figures["threads"]?.GetValue<int>() != threads)
        {
            Console.WriteLine($"not merged into results/training-splits.json: it was measured with threads={figures["threads"]}, this run with {threads}");
            return false;
        }

        static (string, string) Key(JsonNode row) => (row["split"]!.GetValue<string>(), row["algo"]!.GetValue<string>());
        var list = figures["rows"]!.AsArray().Select(r => r!.DeepClone()).ToList();
        var updated = new JsonArray();
        foreach (var row in fresh)
        {
            var key = Key(row!);
            var index = list.FindIndex(r => Key(r) == key);
            if (index >= 0)
            {
                list[index] = row!.DeepClone();
            }
            else
            {
                var last = list.FindLastIndex(r => Key(r).Item1 == key.Item1);
                list.Insert(last < 0 ? list.Count : last + 1, row!.DeepClone());
            }

            updated.Add($"{key.Item1}/{key.Item2}");
        }

        merged = new JsonArray([.. list]);
        fullCommand = existing["command"]?.GetValue<string>() ?? command;
        updates = BenchmarkReport.PartialUpdates(figures, command, "rows", updated);
        return true;
    }

    /// <summary>Top-N per test user (N = 25 on the holdout split, else 10) scored with the PROTOCOL.md metrics.</summary>
    public static Dictionary<string, double> Evaluate(SplitData data, UserRecommender recommend)
    {
        var holdout = data.Name == "personalize_holdout";
        var n = holdout ? 25 : 10;
        var lists = new IReadOnlyList<int>[data.TestUserIds.Length];
        var relevant = new IReadOnlyCollection<int>[data.TestUserIds.Length];
        for (var t = 0; t < data.TestUserIds.Length; t++)
        {
            var id = data.TestUserIds[t];
            lists[t] = recommend(data.UserIndex[id], n).Select(s => data.ItemIds[s.Item]).ToArray();
            relevant[t] = data.Relevant[id];
        }

        var m = RankingEvaluator.Evaluate(lists, relevant, holdout ? data.ItemIds.Length : 0);
        var result = new Dictionary<string, double>
        {
            ["MAP"] = m.Map,
            ["MAPat10"] = m.MapAtK,
            ["nDCG10"] = m.NdcgAt(10),
            ["P10"] = m.PrecisionAt(10),
            ["R10"] = m.RecallAt(10),
        };
        if (holdout)
        {
            result["nDCG5"] = m.NdcgAt(5);
            result["nDCG25"] = m.NdcgAt(25);
            result["P5"] = m.PrecisionAt(5);
            result["P25"] = m.PrecisionAt(25);
            result["MRR25"] = m.MeanReciprocalRank;
            result["coverage25"] = m.Coverage;
        }

        return result;
    }

    /// <summary>nDCG@N of each test user (the same N and definition as <see cref="Evaluate"/>), for paired comparisons.</summary>
    public static double[] PerUserNdcg(SplitData data, UserRecommender recommend)
    {
        var n = data.Name == "personalize_holdout" ? 25 : 10;
        return [.. data.TestUserIds.Where(id => data.Relevant[id].Count > 0).Select(id =>
        {
            IReadOnlyList<int>[] list = [recommend(data.UserIndex[id], n).Select(s => data.ItemIds[s.Item]).ToArray()];
            return RankingEvaluator.Evaluate(list, [data.Relevant[id]]).NdcgAt(10);
        })];
    }

    private static IEnumerable<AlgorithmRun> Algorithms(int cgSteps)
    {
        yield return new AlgorithmRun("popularity", "score=number of train interactions", (d, _) => History(d, new PopularityTrainer().Fit(d.Binary)));

        yield return new AlgorithmRun("sar_jaccard_nodecay", "jaccard;all pairs (no pruning);threshold=1;history weight=rating", (d, t) =>
        {
            var model = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Jaccard, MaxNeighbors = int.MaxValue, MaxDegreeOfParallelism = t }).Fit(d.Ratings);
            return History(d, model, d.Ratings);
        });
        yield return new AlgorithmRun("sar_jaccard_timedecay", "jaccard;all pairs;threshold=1;history weight=rating*0.5^(age/30d)", (d, t) =>
        {
            var model = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Jaccard, MaxNeighbors = int.MaxValue, MaxDegreeOfParallelism = t }).Fit(d.Ratings);
            return History(d, model, TimeDecayed(d.Ratings, 30 * 86400.0));
        });
        yield return new AlgorithmRun("sims_jaccard_k100", "jaccard;K=100;min_cointeraction_count=1;binary history", (d, t) =>
            History(d, new ItemSimilarityTrainer(new ItemSimilarityOptions { MaxNeighbors = 100, MaxDegreeOfParallelism = t }).Fit(d.Binary)));

        yield return new AlgorithmRun("itemknn_cosine", "K=100", (d, t) =>
            History(d, new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Cosine, Neighbors = 100, MaxDegreeOfParallelism = t }).Fit(d.Binary)));
        yield return new AlgorithmRun("itemknn_bm25", "K=100;K1=1.2;B=0.75", (d, t) =>
            History(d, new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25, Neighbors = 100, MaxDegreeOfParallelism = t }).Fit(d.Binary)));
        yield return new AlgorithmRun("rp3beta_tuned", "grid alpha{0.5,0.75,1}xbeta{0.2,0.35,0.5}xK{50,100,200}", (d, t) =>
        {
            var grid = from alpha in new[] { 0.5f, 0.75f, 1f }
                       from beta in new[] { 0.2f, 0.35f, 0.5f }
                       from k in new[] { 50, 100, 200 }
                       select new Rp3BetaOptions { Alpha = alpha, Beta = beta, Neighbors = k, MaxDegreeOfParallelism = t };
            var (best, tuning) = Tune(d, grid, (o, x) => History(x, new Rp3BetaTrainer(o).Fit(x.Binary)).Recommend);
            return History(d, new Rp3BetaTrainer(best).Fit(d.Binary)) with
            {
                ExtraParams = $";selected alpha={best.Alpha};beta={best.Beta};K={best.Neighbors} by validation nDCG@10 (tuning {tuning:F1}s)",
            };
        });

        yield return new AlgorithmRun(
            "als_default",
            $"factors=64;regularization=0.05;alpha=1;iterations=15;cg_steps={cgSteps};seed=42;binary",
            (d, t) => Als(d, DefaultAls(t, 42, cgSteps)),
            (d, t) => SeedSweep(d, seed => DefaultAls(t, seed, cgSteps)));
        yield return new AlgorithmRun(
            "als_reference_tuned_settings",
            "the implicit_ALS_tuned row's settings for the split",
            (d, t) =>
            {
                var options = TunedAls(d, t, 42, cgSteps);
                return Als(d, options) with
                {
                    ExtraParams = $";factors={options.Factors};regularization={options.Regularization};alpha={options.Alpha};cg_steps={cgSteps}",
                };
            },
            (d, t) => SeedSweep(d, seed => TunedAls(d, t, seed, cgSteps)));

        yield return new AlgorithmRun("ease_lambda100", "lambda=100;float64;Woodbury (users < items)", (d, t) =>
            History(d, new EaseTrainer(new EaseOptions { Lambda = 100, MaxDegreeOfParallelism = t }).Fit(d.Binary)));
        yield return new AlgorithmRun("ease_tuned", "lambda from {50,100,250,500,1000} by validation nDCG@10", (d, t) =>
        {
            var grid = new[] { 50.0, 100, 250, 500, 1000 }.Select(l => new EaseOptions { Lambda = l, MaxDegreeOfParallelism = t });
            var (best, tuning) = Tune(d, grid, (o, x) => History(x, new EaseTrainer(o).Fit(x.Binary)).Recommend);
            return History(d, new EaseTrainer(best).Fit(d.Binary)) with { ExtraParams = $";selected lambda={best.Lambda} (tuning {tuning:F1}s)" };
        });
        yield return new AlgorithmRun("edlae_tuned", "EASE with dropout emphasis (EDLAE); lambda{10,100,250}xp{0,0.1,0.25,0.5} by validation nDCG@10", (d, t) =>
        {
            var grid = from lambda in new[] { 10.0, 100, 250 }
                       from p in new[] { 0.0, 0.1, 0.25, 0.5 }
                       select new EaseOptions { Lambda = lambda, DropoutRate = p, MaxDegreeOfParallelism = t };
            var (best, tuning) = Tune(d, grid, (o, x) => History(x, new EaseTrainer(o).Fit(x.Binary)).Recommend);
            return History(d, new EaseTrainer(best).Fit(d.Binary)) with
            {
                ExtraParams = $";selected lambda={best.Lambda};p={best.DropoutRate} (tuning {tuning:F1}s)",
            };
        });
        foreach (var partner in new[] { "als", "rp3beta" })
        {
            yield return new AlgorithmRun($"blend_ease_{partner}", $"EASE lambda=100 + w*{partner} (per-user z-scores); w from {{0,0.1,0.2,0.35,0.5}} by validation nDCG@10", (d, t) =>
            {
                RecommenderModel Partner(SplitData x) => partner == "als"
                    ? new AlsTrainer(new AlsOptions { Factors = 64, Regularization = 0.05f, Alpha = 1, Iterations = 15, MaxDegreeOfParallelism = t }).Fit(x.Binary)
                    : new Rp3BetaTrainer(new Rp3BetaOptions { Alpha = 0.75f, Beta = 0.35f, Neighbors = 100, MaxDegreeOfParallelism = t }).Fit(x.Binary);
                var clock = Stopwatch.StartNew();
                var validation = d.ValidationSplit();
                var ease = new EaseTrainer(new EaseOptions { Lambda = 100, MaxDegreeOfParallelism = t }).Fit(validation.Binary);
                var other = Partner(validation);
                var (best, _) = Tune(d, new[] { 0f, 0.1f, 0.2f, 0.35f, 0.5f }, (w, x) => History(x, new BlendModel([ease, other], [1f, w])).Recommend);
                var tuning = clock.Elapsed.TotalSeconds;
                var model = new BlendModel([new EaseTrainer(new EaseOptions { Lambda = 100, MaxDegreeOfParallelism = t }).Fit(d.Binary), Partner(d)], [1f, best]);
                return History(d, model) with { ExtraParams = $";selected w={best} (tuning {tuning:F1}s)" };
            });
        }

        yield return new AlgorithmRun(
            "user-personalization",
            "recipe defaults (createSolution without hyperparameters): TrainingDataset from train.csv (one event per row, weight 1) -> TrainingPipeline.Run (model=auto; threads: all cores)",
            (d, _) => UserPersonalization(d));

        yield return new AlgorithmRun("ease_direct_lambda100", "lambda=100;float64;direct Cholesky inverse of the items x items Gram matrix", (d, t) =>
            History(d, new EaseTrainer(new EaseOptions { Lambda = 100, Solver = EaseSolver.Direct, MaxDegreeOfParallelism = t }).Fit(d.Binary)));
    }

    /// <summary>
    /// The <c>user-personalization</c> recipe exactly as a solution with no hyperparameters trains it: the split's train
    /// rows become a <see cref="TrainingDataset"/> (binary: every row one event of weight 1), and the training job's
    /// pipeline chooses the model on its own validation users and fits the served model on all of train.csv. Test users
    /// are scored from their train history, as real-time serving would.
    /// </summary>
    internal static TrainedRun UserPersonalization(SplitData d)
    {
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "algorithmHyperParameters", new Dictionary<string, string[]>());
        var dataset = TrainingData(d);
        var outcome = TrainingPipeline.Run(dataset, recipe, [defaults], new TrainingSettings());

        var served = SolutionModel.Create(RecipeCatalog.UserPersonalization, dataset, outcome);
        var candidates = new JsonArray();
        foreach (var candidate in outcome.Evaluation.Candidates ?? [])
        {
            candidates.Add(new JsonObject
            {
                ["hyperparameters"] = string.Join(";", candidate.Hyperparameters.Select(h => h.Key + "=" + h.Value)),
                ["validation_nDCG10"] = candidate.Objective,
                ["blend_weight"] = candidate.BlendWeight,
                ["seconds"] = Math.Round(candidate.Seconds, 3),
            });
        }

        var chosen = outcome.Hyperparameters.GetString("model");
        return new TrainedRun(
            (u, n) => served.Recommend(d.UserIds[u].ToString(CultureInfo.InvariantCulture), null, n)
                .Select(s => new ScoredItem(d.ItemIndex[int.Parse(s.Id, CultureInfo.InvariantCulture)], (float)(s.Score ?? 0))).ToArray(),
            $";chosen model={chosen}",
            new JsonObject
            {
                ["model_chosen"] = chosen,
                ["phase_seconds"] = new JsonObject(outcome.Timings.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
                ["validation_candidates"] = candidates,
                ["blend_validation_nDCG10"] = outcome.Evaluation.BlendObjective,
                ["history_recency"] = outcome.Evaluation.HistoryRecency is { } recency
                    ? new JsonObject
                    {
                        ["floor"] = recency.Floor,
                        ["half_life"] = recency.HalfLife,
                        ["tried"] = new JsonArray([.. recency.Tried.Select(t => (JsonNode)new JsonObject
                        {
                            ["floor"] = t.Floor,
                            ["validation_nDCG10"] = t.Objective,
                            ["temporal_fold"] = t.TemporalFoldObjective,
                            ["random_fold"] = t.RandomFoldObjective,
                            ["chosen"] = t.Chosen,
                        })]),
                    }
                    : null,
                ["pipeline_holdout_nDCG10"] = outcome.Metrics["normalized_discounted_cumulative_gain_at_10"],
            });
    }

    /// <summary>The split's train rows as a training job sees them: every row one event of weight 1, ids as strings.</summary>
    internal static TrainingDataset TrainingData(SplitData d)
    {
        var builder = new TrainingInteractionsBuilder(d.TrainRows.Length);
        foreach (var row in d.TrainRows)
        {
            builder.Add(row.UserId.ToString(CultureInfo.InvariantCulture), row.ItemId.ToString(CultureInfo.InvariantCulture), row.Timestamp);
        }

        return TrainingDataset.Build(builder.Build(), null, TrainingFilter.None);
    }

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Trains ALS from its seeded start, or from numpy's start when <paramref name="numpyInit"/> is set.</summary>
    private static TrainedRun Als(SplitData d, AlsOptions options, bool numpyInit = false)
    {
        var iterations = new JsonArray();
        Action<AlsIteration> record = it => iterations.Add(Math.Round(it.Elapsed.TotalSeconds, 4));
        AlsModel model;
        if (numpyInit)
        {
            var (users, items) = ImplicitInitialFactors(d.Binary, options.Factors, (uint)options.Seed);
            model = new AlsTrainer(options).Fit(d.Binary, users, items, record);
        }
        else
        {
            model = new AlsTrainer(options).Fit(d.Binary, record);
        }

        var times = iterations.Select(v => v!.GetValue<double>()).Order().ToArray();
        return new TrainedRun(
            (u, n) => model.RecommendForUser(u, d.Binary.RowItems(u), n),
            $";threads={options.MaxDegreeOfParallelism}",
            new JsonObject
            {
                ["seconds_per_iteration_mean"] = Math.Round(times.Average(), 4),
                ["seconds_per_iteration_median"] = times[times.Length / 2],
                ["seconds_per_iteration_min"] = times[0],
                ["iteration_seconds"] = iterations,
            });
    }

    /// <summary>
    /// implicit 0.7's start for <c>random_state=seed</c>: <c>rng = np.random.default_rng(seed)</c>, then
    /// <c>rng.random((users, factors), dtype=float32) * 0.01</c> and the same for items.
    /// </summary>
    private static (float[] Users, float[] Items) ImplicitInitialFactors(InteractionMatrix matrix, int factors, uint seed)
    {
        var random = new NumpyRandom(seed);
        var users = new float[matrix.UserCount * factors];
        var items = new float[matrix.ItemCount * factors];
        for (var p = 0; p < users.Length; p++)
        {
            users[p] = random.NextSingle() * 0.01f;
        }

        for (var p = 0; p < items.Length; p++)
        {
            items[p] = random.NextSingle() * 0.01f;
        }

        return (users, items);
    }

    /// <summary>The implicit_ALS_default settings (PROTOCOL.md §5) with seed <paramref name="seed"/>.</summary>
    private static AlsOptions DefaultAls(int threads, ulong seed, int cgSteps) =>
        new() { Factors = 64, Regularization = 0.05f, Alpha = 1, Iterations = 15, ConjugateGradientSteps = cgSteps, Seed = seed, MaxDegreeOfParallelism = threads };

    /// <summary>The implicit_ALS_tuned row's settings for the split (reference_metrics.tsv) with seed <paramref name="seed"/>.</summary>
    private static AlsOptions TunedAls(SplitData d, int threads, ulong seed, int cgSteps)
    {
        var (factors, reg, alpha) = d.Name switch
        {
            "stratified_user_seed42" => (64, 0.01f, 10f),
            "chrono_user_75" => (64, 1f, 1f),
            _ => (128, 0.05f, 40f),
        };
        return new AlsOptions { Factors = factors, Regularization = reg, Alpha = alpha, Iterations = 15, ConjugateGradientSteps = cgSteps, Seed = seed, MaxDegreeOfParallelism = threads };
    }

    /// <summary>
    /// Seed sensitivity, outside the timed fit: nDCG@10 for seeds 0..9 (the row itself is seed 42), their mean and
    /// sample standard deviation. With 61 test users on the holdout split the spread is of the same order as the
    /// gaps to the reference, so the comparison with implicit uses the mean.
    /// The same trainer is also run from implicit's own start (numpy's generator, <see cref="ImplicitInitialFactors"/>):
    /// with seed 42 it reproduces the implicit reference row, and its mean over seeds 0..9 estimates implicit's own seed
    /// mean, which the reference (a single draw) is not.
    /// </summary>
    private static JsonObject SeedSweep(SplitData d, Func<ulong, AlsOptions> options)
    {
        double[] Sweep(bool numpyInit) => s_seedSweep.Select(seed => Evaluate(d, Als(d, options(seed), numpyInit).Recommend)["nDCG10"]).ToArray();
        static double Sd(double[] values, double mean) => Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        var values = Sweep(numpyInit: false);
        var mean = values.Average();
        var implicitValues = Sweep(numpyInit: true);
        var implicitMean = implicitValues.Average();
        var implicitSeed42 = Evaluate(d, Als(d, options(42), numpyInit: true).Recommend)["nDCG10"];
        return new JsonObject
        {
            ["nDCG10_seeds"] = new JsonArray(s_seedSweep.Select(v => (JsonNode?)v).ToArray()),
            ["nDCG10_by_seed"] = new JsonArray(values.Select(v => (JsonNode?)Math.Round(v, 6)).ToArray()),
            ["nDCG10_seed_mean"] = Math.Round(mean, 6),
            ["nDCG10_seed_sd"] = Math.Round(Sd(values, mean), 6),
            ["nDCG10_seed_min"] = Math.Round(values.Min(), 6),
            ["nDCG10_seed_max"] = Math.Round(values.Max(), 6),
            ["implicit_init_nDCG10_seed42"] = Math.Round(implicitSeed42, 6),
            ["implicit_init_nDCG10_by_seed"] = new JsonArray(implicitValues.Select(v => (JsonNode?)Math.Round(v, 6)).ToArray()),
            ["implicit_init_nDCG10_seed_mean"] = Math.Round(implicitMean, 6),
            ["implicit_init_nDCG10_seed_sd"] = Math.Round(Sd(implicitValues, implicitMean), 6),
        };
    }

    internal static TrainedRun History(SplitData d, RecommenderModel model, InteractionMatrix? weights = null)
    {
        var history = weights ?? d.Binary;
        return new TrainedRun((u, n) => model.Recommend(history.RowItems(u), history.RowWeights(u), n));
    }

    /// <summary>
    /// SAR's time-decayed affinity rating·0.5^((T − t)/halfLife), computed relative to each user's latest event:
    /// that multiplies a user's scores by a constant, so the ranking is SAR's, and float32 does not underflow.
    /// </summary>
    internal static InteractionMatrix TimeDecayed(InteractionMatrix ratings, double halfLife)
    {
        var latest = new long[ratings.UserCount];
        var owner = new int[ratings.NonZeroCount];
        for (var u = 0; u < ratings.UserCount; u++)
        {
            var times = ratings.RowTimestamps(u);
            latest[u] = times.IsEmpty ? 0 : times.ToArray().Max();
            for (var p = ratings.RowOffsets[u]; p < ratings.RowOffsets[u + 1]; p++)
            {
                owner[p] = u;
            }
        }

        var timestamps = ratings.Timestamps.ToArray();
        return ratings.WithWeights((w, p) => (float)(w * Math.Pow(0.5, (latest[owner[p]] - timestamps[p]) / halfLife)));
    }

    /// <summary>PROTOCOL.md §6 selection: fit on sub-train, nDCG@10 on validation, first best in grid order.</summary>
    internal static (T Best, double Seconds) Tune<T>(SplitData data, IEnumerable<T> grid, Func<T, SplitData, UserRecommender> fit, bool byTime = true)
    {
        var clock = Stopwatch.StartNew();
        var validation = data.ValidationSplit(byTime);
        var best = default(T)!;
        var bestScore = double.NegativeInfinity;
        foreach (var candidate in grid)
        {
            var score = Evaluate(validation, fit(candidate, validation))["nDCG10"];
            if (score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return (best, clock.Elapsed.TotalSeconds);
    }

    private static List<(string Split, string Algo, Dictionary<string, double> Metrics, double Seconds)> ReadReference()
    {
        var lines = File.ReadAllLines(Path.Combine(SplitData.SplitsFolder(), "reference_metrics.tsv"));
        var header = lines[0].Split('\t');
        var result = new List<(string, string, Dictionary<string, double>, double)>();
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split('\t');
            var metrics = new Dictionary<string, double>();
            for (var c = 3; c < header.Length - 1; c++)
            {
                if (parts[c].Length > 0)
                {
                    metrics[header[c]] = double.Parse(parts[c], CultureInfo.InvariantCulture);
                }
            }

            result.Add((parts[0], parts[1], metrics, double.Parse(parts[^1], CultureInfo.InvariantCulture)));
        }

        return result;
    }

    private static string Header() =>
        string.Format(CultureInfo.InvariantCulture, "{0,-38} {1,8} {2,8} {3,8} {4,8} {5,8} {6,8} {7,8} {8,8} {9,8}", "algorithm", "MAP", "nDCG10", "P10", "R10", "nDCG5", "nDCG25", "MRR25", "cov25", "train_s");

    private static string FormatRow(string name, Dictionary<string, double> m, double seconds)
    {
        static string F(Dictionary<string, double> m, string key) => m.TryGetValue(key, out var v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "";
        return string.Format(
            CultureInfo.InvariantCulture,
            "{0,-38} {1,8} {2,8} {3,8} {4,8} {5,8} {6,8} {7,8} {8,8} {9,8:F3}",
            name,
            F(m, "MAP"),
            F(m, "nDCG10"),
            F(m, "P10"),
            F(m, "R10"),
            F(m, "nDCG5"),
            F(m, "nDCG25"),
            F(m, "MRR25"),
            F(m, "coverage25"),
            seconds);
    }
}
