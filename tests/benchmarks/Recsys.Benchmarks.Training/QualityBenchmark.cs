using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recsys.Algorithms;
using Recsys.Algorithms.Factorization;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Popularity;
using Recsys.Algorithms.Similarity;
using Recsys.Core.Solutions;
using Recsys.Data.Synthetic;
using Recsys.Data.Training;

namespace Recsys.Benchmarks;

/// <summary>
/// The quality suite: the <c>user-personalization</c> default against peer-style baselines (popularity, item-kNN
/// cosine and BM25, SAR, ALS, EASE with λ chosen on a validation split of the training rows) over several dataset shapes
/// and evaluation protocols, nDCG@10 per PROTOCOL.md, with the ratio default / best baseline per case. No constant
/// is chosen on a test set: the baselines' λ comes from the training rows' own validation split (by time when the case
/// has time, a random 10 % otherwise), and the default chooses everything on its own validation users.
/// </summary>
internal static class QualityBenchmark
{
    /// <summary>
    /// The EASE baseline's λ grid: the reference's {50, …, 1000} widened at both ends, because very sparse data is best
    /// at λ 10 to 25 and large dense data at 1000 and above; a baseline held to the reference's grid would be weaker
    /// than a peer tuning on its own.
    /// </summary>
    private static readonly double[] s_easeGrid = [10, 25, 50, 100, 250, 500, 1000, 2500];

    /// <summary>One case: its name, how it was made, and the split.</summary>
    internal sealed record Case(string Name, string Shape, string Protocol, bool HasTime, Func<SplitData> Load);

    public static int Run(string? caseFilter, string command)
    {
        var cases = Cases().Where(c => caseFilter is null || c.Name.Contains(caseFilter, StringComparison.OrdinalIgnoreCase)).ToArray();
        var rows = new JsonArray();
        foreach (var c in cases)
        {
            Console.WriteLine($"== {c.Name} ({c.Shape}; {c.Protocol})");
            var data = c.Load();
            Console.WriteLine($"   {data.UserIds.Length} users, {data.ItemIds.Length} items, {data.TrainRows.Length} train rows, {data.TestRows.Length} test rows");
            var results = new List<(string Algo, string Params, double Ndcg, double Seconds, double CpuSeconds, JsonObject? Extra, double[] PerUser)>();
            foreach (var (algo, train) in Baselines(c.HasTime, data.ItemIds.Length <= EaseTrainer.ItemLimit).Prepend(("default", (Func<SplitData, TrainedRun>)SplitsBenchmark.UserPersonalization)))
            {
                GC.Collect();
                var cpu = CpuSeconds();
                var clock = Stopwatch.StartNew();
                var trained = train(data);
                var seconds = clock.Elapsed.TotalSeconds;
                var cpuSeconds = CpuSeconds() - cpu;
                var ndcg = SplitsBenchmark.Evaluate(data, trained.Recommend)["nDCG10"];
                results.Add((algo, trained.ExtraParams, ndcg, seconds, cpuSeconds, trained.Extra, SplitsBenchmark.PerUserNdcg(data, trained.Recommend)));
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "   {0,-18} nDCG@10 {1:F4}  {2,7:F1} s (cpu {3:F1} s) {4}", algo, ndcg, seconds, cpuSeconds, trained.ExtraParams));
            }

            var ours = results[0];
            var baselines = results.Skip(1).ToArray();
            var best = baselines.MaxBy(r => r.Ndcg);
            var ease = baselines.Where(r => r.Algo == "ease_tuned").Select(r => (double?)r.Ndcg).FirstOrDefault();
            var knn = baselines.Where(r => r.Algo.StartsWith("itemknn", StringComparison.Ordinal)).MaxBy(r => r.Ndcg);

            // The standard error of the ratio from the users' paired nDCG differences: a ratio within two of them of 1
            // is a tie on this test set, not a loss or a win.
            var differences = ours.PerUser.Zip(best.PerUser, (a, b) => a - b).ToArray();
            var meanDifference = differences.Average();
            var ratioError = Math.Sqrt(differences.Sum(x => (x - meanDifference) * (x - meanDifference)) / (differences.Length - 1) / differences.Length) / best.Ndcg;
            var row = new JsonObject
            {
                ["case"] = c.Name,
                ["shape"] = c.Shape,
                ["protocol"] = c.Protocol,
                ["users"] = data.UserIds.Length,
                ["items"] = data.ItemIds.Length,
                ["train_rows"] = data.TrainRows.Length,
                ["test_rows"] = data.TestRows.Length,
                ["default_nDCG10"] = Math.Round(ours.Ndcg, 6),
                ["best_baseline"] = best.Algo,
                ["best_baseline_nDCG10"] = Math.Round(best.Ndcg, 6),
                ["ratio_default_to_best_baseline"] = Math.Round(ours.Ndcg / best.Ndcg, 4),
                ["ratio_standard_error"] = Math.Round(ratioError, 4),
                ["ratio_default_to_ease_tuned"] = ease is { } easeNdcg ? Math.Round(ours.Ndcg / easeNdcg, 4) : null,
                ["ratio_default_to_best_itemknn"] = Math.Round(ours.Ndcg / knn.Ndcg, 4),
                ["default_train_seconds"] = Math.Round(ours.Seconds, 2),
                ["default_train_cpu_seconds"] = Math.Round(ours.CpuSeconds, 2),
                ["default"] = ours.Extra?.DeepClone(),
                ["baselines"] = new JsonArray([.. baselines.Select(b => (JsonNode)new JsonObject
                {
                    ["algo"] = b.Algo,
                    ["params"] = b.Params,
                    ["nDCG10"] = Math.Round(b.Ndcg, 6),
                    ["train_seconds"] = Math.Round(b.Seconds, 2),
                    ["train_cpu_seconds"] = Math.Round(b.CpuSeconds, 2),
                })]),
            };
            rows.Add(row);
        }

        // A run of some cases (--case) replaces their rows in training-quality.json and keeps every other case.
        var name = caseFilter is null ? "quality" : "quality-partial";
        JsonArray? updates = null;
        if (caseFilter is not null && TryMerge(rows, command, out var merged, out var fullCommand, out var mergedUpdates))
        {
            (rows, name, command, updates) = (merged, "quality", fullCommand, mergedUpdates);
        }

        var table = Table(rows);
        Console.WriteLine();
        Console.WriteLine(table);
        var figures = new JsonObject
        {
            ["metric"] = "nDCG@10 per PROTOCOL.md (N = 25 lists on personalize_holdout, 10 elsewhere; seen items removed; ties by ascending item id)",
            ["baselines"] = "popularity; item-kNN cosine and BM25 (K=100, implicit's semantics); SAR jaccard without and with 30-day time decay (all pairs up to 10k items, else the 1000 best per item); ALS (64 factors, reg 0.05, alpha 1, 15 iterations); EASE (catalogues within its dense limit of 46,000 items) with lambda from {10,25,50,100,250,500,1000,2500} by nDCG@10 on the training rows' validation split (each user's last 10% by time, or a random 10% when the case has no time)",
            ["default"] = "user-personalization with no hyperparameters (model=auto) through TrainingPipeline.Run, exactly as a solution version trains; test users scored from their train history",
            ["note"] = "ratio = default / best baseline on the case's test rows (±se: the standard error of the ratio from the test users' paired nDCG differences); train seconds are wall clock (cpu = process CPU time over the same span; the machine is shared, so compare cpu)",
            ["table"] = table,
            ["rows"] = rows,
        };
        if (updates is not null)
        {
            figures["partial_updates"] = updates;
        }

        Console.WriteLine("wrote " + BenchmarkReport.Write("training", name, command, figures));
        return 0;
    }

    /// <summary>One line per case: the ratio default / best baseline with its standard error, and against EASE and item-kNN.</summary>
    private static string Table(JsonArray rows)
    {
        var table = new StringBuilder();
        table.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-34} {1,-10} {2,7} {3,7} {4,8} {5,-16} {6,7} {7,6} {8,7} {9,7} {10,7}", "case", "protocol", "items", "default", "best", "best baseline", "ratio", "±se", "vs EASE", "vs kNN", "def_s"));
        foreach (var row in rows.OfType<JsonObject>())
        {
            double? V(string key) => row[key]?.GetValue<double>();
            table.AppendLine(string.Format(
                CultureInfo.InvariantCulture,
                "{0,-34} {1,-10} {2,7} {3,7:F4} {4,8:F4} {5,-16} {6,7:F3} {7,6:F3} {8,7} {9,7:F3} {10,7:F1}",
                row["case"], row["protocol"], row["items"], V("default_nDCG10"), V("best_baseline_nDCG10"), row["best_baseline"], V("ratio_default_to_best_baseline"),
                V("ratio_standard_error"), V("ratio_default_to_ease_tuned") is { } vsEase ? vsEase.ToString("F3", CultureInfo.InvariantCulture) : "–", V("ratio_default_to_best_itemknn"), V("default_train_seconds")));
        }

        return table.ToString();
    }

    /// <summary>
    /// Merges the rows of a run of some cases into <c>results/training-quality.json</c>: each case's row replaces the
    /// stored one, rows stay in the suite's order, every other case is kept. False when there is no such file.
    /// </summary>
    private static bool TryMerge(JsonArray fresh, string command, out JsonArray merged, out string fullCommand, out JsonArray updates)
    {
        merged = [];
        fullCommand = command;
        updates = [];
        if (BenchmarkReport.Read("training", "quality") is not { } existing)
        {
            return false;
        }

        var figures = existing["figures"]!.AsObject();
        static string Name(JsonNode? row) => row!["case"]!.GetValue<string>();
        var byName = figures["rows"]!.AsArray().ToDictionary(Name, r => r!.DeepClone());
        foreach (var row in fresh)
        {
            byName[Name(row)] = row!.DeepClone();
        }

        var order = Cases().Select(c => c.Name).ToList();
        merged = new JsonArray([.. byName.OrderBy(p => order.IndexOf(p.Key) is var i && i < 0 ? int.MaxValue : i).Select(p => p.Value)]);
        fullCommand = existing["command"]?.GetValue<string>() ?? command;
        updates = BenchmarkReport.PartialUpdates(figures, command, "cases", new JsonArray([.. fresh.Select(r => (JsonNode)Name(r))]));
        return true;
    }

    /// <summary>The cases whose name contains <paramref name="caseFilter"/> (all when null), for the probes, which train with every core.</summary>
    internal static IEnumerable<Case> ProbeCases(string? caseFilter)
    {
        TrainingScheduler.Configure(Environment.ProcessorCount, lowerPriority: false);
        return Cases().Where(c => caseFilter is null || c.Name.Contains(caseFilter, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary><see cref="ProbeCases"/> loaded, each with the training data and the validation split the default pipeline makes of it.</summary>
    internal static IEnumerable<(Case Case, SplitData Data, TrainingDataset Dataset, EvaluationSplit Split)> ProbeSplits(string? caseFilter)
    {
        var settings = new TrainingSettings();
        foreach (var c in ProbeCases(caseFilter))
        {
            var data = c.Load();
            var dataset = SplitsBenchmark.TrainingData(data);
            yield return (c, data, dataset, EvaluationSplit.Create(dataset.Matrix, settings.Seed, settings.ValidationUsers(dataset.Matrix.ItemCount), settings.MaxScoredTestUsers));
        }
    }

    private static IEnumerable<Case> Cases()
    {
        foreach (var split in SplitsBenchmark.Splits)
        {
            yield return new Case(split, "ml-latest-small, fixed split", split switch
            {
                "stratified_user_seed42" => "random75",
                "chrono_user_75" => "last25",
                _ => "holdout",
            }, true, () => SplitData.Load(split));
        }

        yield return Derived("ml-small newest 10%, every user", "ml-latest-small, every user's newest 10% held out (personalize_holdout's rule for all 610 users, not 61)", Protocol.Last10, true, Ratings);
        yield return new Case("ml-small daily timestamps", "ml-latest-small, each user's last 25% by the true time held out, then every timestamp cut to the day (a day's ratings tie in train, as in exports with daily granularity, while the future stays the real one)", Label(Protocol.Last25), true,
            () => Daily(Split("ml-small daily timestamps", Ratings(), Protocol.Last25)));
        yield return Derived("ml-small equal timestamps", "ml-latest-small, every timestamp the same", Protocol.Random75, false,
            () => Ratings().Select(r => r with { Timestamp = 1_500_000_000 }).ToArray());
        yield return Derived("ml-small shuffled item ids", "ml-latest-small, item ids renamed by a seeded permutation, rows sorted by (user, new id)", Protocol.Last25, true,
            () => ShuffledItemIds(Ratings()));
        yield return Derived("ml-small liked only", "ml-latest-small, only ratings of 4 or more (positive-only feedback, as likes or purchases)", Protocol.Random75, true,
            () => [.. Ratings().Where(r => r.Rating >= 4f)]);
        yield return Derived("ml-small sparse 15%", "ml-latest-small, a seeded 15% of the ratings, users with 3+ kept", Protocol.LeaveLastOut, true,
            () => Sparse(Ratings(), 0.15));
        yield return Generated("synthetic 20k items", "generator: 20,000 items, 4,000 users, 300k events (views, clicks, purchases; one row per user-item pair, count as rating)", Protocol.Last25,
            new SyntheticDataOptions { Seed = 7, Items = 20_000, Users = 4_000, Interactions = 300_000 });
        yield return Generated("synthetic 24k catalogue", "generator: 24,000 items, 5,000 users, 450k events, popularity exponent 0.7 (20k+ items in train; one row per user-item pair, count as rating)", Protocol.Random75,
            new SyntheticDataOptions { Seed = 13, Items = 24_000, Users = 5_000, Interactions = 450_000, PopularityExponent = 0.7 });
        yield return Generated("synthetic 24k items, users > items", "generator: 24,000 items, 30,000 users, 1.5M events, popularity exponent 0.7 (more users than items: the default's EASE is on the head items, the baseline's on all)", Protocol.Random75,
            new SyntheticDataOptions { Seed = 17, Items = 24_000, Users = 30_000, Interactions = 1_500_000, PopularityExponent = 0.7 });
        yield return Generated("synthetic 60k catalogue, very sparse", "generator: 60,000 items, 40,000 users, 500k events, popularity exponent 0.6 (over EASE's dense limit of 46,000 items: no EASE baseline)", Protocol.LeaveLastOut,
            new SyntheticDataOptions { Seed = 19, Items = 60_000, Users = 40_000, Interactions = 500_000, PopularityExponent = 0.6 });
        yield return Generated("synthetic 500 items, many users", "generator: 500 items, 20,000 users, 600k events (a small catalogue that each user covers widely; one row per user-item pair, count as rating)", Protocol.Random75,
            new SyntheticDataOptions { Seed = 23, Items = 500, Users = 20_000, Interactions = 600_000 });
        yield return Generated("synthetic small shop, 300 users", "generator: 5,000 items, 300 users, 24k events, popularity exponent 0.8 (a new customer's first data: few users, so a small validation sample)", Protocol.Last25,
            new SyntheticDataOptions { Seed = 31, Items = 5_000, Users = 300, Interactions = 24_000, PopularityExponent = 0.8 });
        yield return Generated("synthetic steep popularity", "generator: 8,000 items, 6,000 users, 200k events, popularity exponent 1.3 (a few hits carry most interactions)", Protocol.Random75,
            new SyntheticDataOptions { Seed = 37, Items = 8_000, Users = 6_000, Interactions = 200_000, PopularityExponent = 1.3 });
        yield return Generated("synthetic 16k very sparse, no time", "generator: 16,000 items, 30,000 users, 180k events, popularity exponent 0.6; no timestamps (a few interactions per user with no order to learn from)", Protocol.Random75,
            new SyntheticDataOptions { Seed = 29, Items = 16_000, Users = 30_000, Interactions = 180_000, PopularityExponent = 0.6 }, keepTime: false);
        yield return Generated("synthetic play counts 15k, no time", "generator: 15,000 items, 3,000 users, 250k plays, popularity exponent 0.8; counts as rating; no timestamps", Protocol.Random75,
            new SyntheticDataOptions { Seed = 11, Items = 15_000, Users = 3_000, Interactions = 250_000, PopularityExponent = 0.8 }, keepTime: false);
    }

    /// <summary>A case split by <paramref name="protocol"/> from the rows <paramref name="rows"/> gives.</summary>
    private static Case Derived(string name, string shape, Protocol protocol, bool hasTime, Func<RatingRow[]> rows) =>
        new(name, shape, Label(protocol), hasTime, () => Split(name, rows(), protocol));

    /// <summary>A case of the generator's data (<see cref="Synthetic"/>), split by <paramref name="protocol"/>.</summary>
    private static Case Generated(string name, string shape, Protocol protocol, SyntheticDataOptions options, bool keepTime = true) =>
        Derived(name, shape, protocol, keepTime, () => Synthetic(options, keepTime));

    /// <summary>How the results name <paramref name="protocol"/>.</summary>
    private static string Label(Protocol protocol) => protocol switch
    {
        Protocol.Random75 => "random75",
        Protocol.Last25 => "last25",
        Protocol.Last10 => "last10",
        _ => "last-one",
    };

    /// <summary>The peer-style baselines; EASE only where its dense item-item solve accepts the catalogue.</summary>
    private static IEnumerable<(string Algo, Func<SplitData, TrainedRun> Train)> Baselines(bool hasTime, bool easeFits)
    {
        yield return ("popularity", d => SplitsBenchmark.History(d, new PopularityTrainer().Fit(d.Binary)));
        yield return ("itemknn_cosine", d => SplitsBenchmark.History(d, new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Cosine, Neighbors = 100 }).Fit(d.Binary)));
        yield return ("itemknn_bm25", d => SplitsBenchmark.History(d, new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25, Neighbors = 100 }).Fit(d.Binary)));
        yield return ("sar_nodecay", d => SplitsBenchmark.History(d, Sar(d), d.Ratings));
        if (hasTime)
        {
            yield return ("sar_timedecay", d => SplitsBenchmark.History(d, Sar(d), SplitsBenchmark.TimeDecayed(d.Ratings, 30 * 86400.0)));
        }

        yield return ("als", d =>
        {
            var model = new AlsTrainer(new AlsOptions { Factors = 64, Regularization = 0.05f, Alpha = 1, Iterations = 15 }).Fit(d.Binary);
            return new TrainedRun((u, n) => model.RecommendForUser(u, d.Binary.RowItems(u), n));
        });
        if (!easeFits)
        {
            yield break;
        }

        yield return ("ease_tuned", d =>
        {
            var (best, tuning) = SplitsBenchmark.Tune(
                d,
                s_easeGrid.Select(l => new EaseOptions { Lambda = l, MaxItems = EaseTrainer.ItemLimit }),
                (o, x) => SplitsBenchmark.History(x, new EaseTrainer(o).Fit(x.Binary)).Recommend,
                hasTime);
            return SplitsBenchmark.History(d, new EaseTrainer(best).Fit(d.Binary)) with { ExtraParams = $"lambda={best.Lambda} by validation (tuning {tuning:F1}s)" };
        });
    }

    private static ItemSimilarityModel Sar(SplitData d) => new ItemSimilarityTrainer(new ItemSimilarityOptions
    {
        Similarity = SimilarityKind.Jaccard,
        MaxNeighbors = d.ItemIds.Length <= 10_000 ? int.MaxValue : 1000,
    }).Fit(d.Ratings);

    private enum Protocol
    {
        Random75,
        Last25,
        Last10,
        LeaveLastOut,
    }

    private static RatingRow[] Ratings() => SplitData.ReadRatings(Path.Combine(SplitData.SplitsFolder(), "..", "ml-latest-small", "ratings.csv"));

    /// <summary>
    /// Splits each user's rows: a seeded random 75 %, the oldest 75 % (ties by file row), all but the newest 10 % (at
    /// least one, rounded half up as Personalize's holdout), or all but the newest one.
    /// </summary>
    private static SplitData Split(string name, RatingRow[] rows, Protocol protocol)
    {
        var train = new List<RatingRow>();
        var test = new List<RatingRow>();
        foreach (var group in rows.GroupBy(r => r.UserId))
        {
            var ordered = protocol == Protocol.Random75
                ? group.OrderBy(r => SplitData.Hash(42, r.FileRow)).ToArray()
                : group.OrderBy(r => r.Timestamp).ThenBy(r => r.FileRow).ToArray();
            var cut = protocol switch
            {
                Protocol.LeaveLastOut => ordered.Length - 1,
                Protocol.Last10 => ordered.Length - Math.Max(1, (ordered.Length + 5) / 10),
                _ => (int)Math.Round(0.75 * ordered.Length, MidpointRounding.ToEven),
            };
            train.AddRange(ordered.Take(Math.Max(1, cut)));
            test.AddRange(ordered.Skip(Math.Max(1, cut)));
        }

        // Test rows whose user has no train row cannot be scored; every user keeps at least one train row above.
        return SplitData.FromRows(name, [.. train.OrderBy(r => r.FileRow)], [.. test.OrderBy(r => r.FileRow)]);
    }

    /// <summary><paramref name="split"/> with every timestamp cut to the start of its day (UTC).</summary>
    private static SplitData Daily(SplitData split)
    {
        static RatingRow[] Days(RatingRow[] rows) => [.. rows.Select(r => r with { Timestamp = r.Timestamp / 86_400 * 86_400 })];
        return SplitData.FromRows(split.Name, Days(split.TrainRows), Days(split.TestRows));
    }

    /// <summary>Item ids renamed by a seeded permutation; rows re-sorted by (user, new id) as an export sorted by id would be.</summary>
    private static RatingRow[] ShuffledItemIds(RatingRow[] rows)
    {
        var ids = rows.Select(r => r.ItemId).Distinct().Order().ToArray();
        var renamed = ids.OrderBy(id => SplitData.Hash(3, id)).ToArray();
        var map = ids.Zip(renamed).ToDictionary(p => p.First, p => p.Second);
        var sorted = rows.Select(r => r with { ItemId = map[r.ItemId] }).OrderBy(r => r.UserId).ThenBy(r => r.ItemId).ToArray();
        return [.. sorted.Select((r, i) => r with { FileRow = i })];
    }

    /// <summary>A seeded share of the rows; users left with fewer than 3 rows are dropped.</summary>
    private static RatingRow[] Sparse(RatingRow[] rows, double share)
    {
        var kept = rows.Where(r => SplitData.Hash(5, r.FileRow) < share * ulong.MaxValue).ToArray();
        var counts = kept.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.Count());
        return [.. kept.Where(r => counts[r.UserId] >= 3)];
    }

    /// <summary>
    /// The generator's interactions, one row per (user, item): the number of events as the rating (a play count) and the
    /// latest event's time, or one shared time when <paramref name="keepTime"/> is false.
    /// </summary>
    private static RatingRow[] Synthetic(SyntheticDataOptions options, bool keepTime)
    {
        var directory = Path.Combine(Path.GetTempPath(), "recsys-quality-" + Guid.NewGuid().ToString("N"));
        try
        {
            var dataset = SyntheticDataGenerator.GenerateAsync(options, directory).GetAwaiter().GetResult();
            var pairs = new Dictionary<(int User, int Item), (int Count, long Time, int Row)>();
            var row = 0;
            foreach (var line in File.ReadLines(dataset.InteractionsCsv).Skip(1))
            {
                var parts = line.Split(',');
                var key = (int.Parse(parts[0].AsSpan(1), CultureInfo.InvariantCulture), int.Parse(parts[1].AsSpan(1), CultureInfo.InvariantCulture));
                var time = long.Parse(parts[2], CultureInfo.InvariantCulture);
                pairs[key] = pairs.TryGetValue(key, out var seen) ? (seen.Count + 1, Math.Max(seen.Time, time), seen.Row) : (1, time, row++);
            }

            return [.. pairs.OrderBy(p => p.Value.Row).Select((p, i) => new RatingRow(p.Key.User, p.Key.Item, p.Value.Count, keepTime ? p.Value.Time : 1_700_000_000, i))];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
