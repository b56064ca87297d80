using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Numerics;

namespace Recsys.Benchmarks;

/// <summary>
/// The dense EASE solve against numpy+OpenBLAS on the same Gram matrices in one run: the ml-latest-small
/// stratified split (8,757 items) and a generated 20,000-item catalogue, XᵀX + 100·I in float32. Each solve runs in
/// its own process so its peak memory is its own: ours (<see cref="SymmetricInverse"/>, 1 and 2 threads) and
/// scipy's LAPACK spotrf + spotri (<c>ease_solve_numpy.py</c>, OPENBLAS_NUM_THREADS 1 and 2). Also times whole
/// EASE fits (direct and Woodbury) to place the solver cross-over, and a direct fit at 20,000 items for its peak.
/// </summary>
internal static class EaseSolveBenchmark
{
    private const float Lambda = 100;

    public static int Run(IReadOnlyList<int> sizes, IReadOnlyList<int> threads, int repeat, bool fits, string command)
    {
        var figures = new JsonObject
        {
            ["precision"] = "float32 for both (ours: blocked symmetric sweep; numpy: scipy.linalg.lapack spotrf + spotri); float64 dpotrf + dpotri is the accuracy reference at the real-data size",
            ["matrix"] = "G = XᵀX + 100·I, written once and read by every solver",
        };
        var work = Directory.CreateTempSubdirectory("ease-solve-");
        try
        {
            foreach (var n in sizes)
            {
                var (name, x) = Catalogue(n);
                Console.WriteLine($"{name}: {x.UserCount:N0} users, {x.ItemCount:N0} items, {x.NonZeroCount:N0} interactions");
                var matrixPath = Path.Combine(work.FullName, $"gram-{x.ItemCount}.f32");
                var oursPath = Path.Combine(work.FullName, $"ours-{x.ItemCount}.f32");
                WriteGram(x, matrixPath);
                var caseFigures = new JsonObject
                {
                    ["data"] = name,
                    ["users"] = x.UserCount,
                    ["items"] = x.ItemCount,
                    ["interactions"] = x.NonZeroCount,
                };

                foreach (var t in threads)
                {
                    // Ours and numpy alternate, so a busy spell on the shared machine falls on both; the best of the
                    // repetitions is compared.
                    var oursRuns = new List<JsonObject>();
                    var numpyRuns = new List<JsonObject>();
                    var load = new JsonArray();
                    for (var r = 0; r < repeat; r++)
                    {
                        var first = r == 0 && t == threads[0];
                        load.Add(LoadAverage());
                        oursRuns.Add(RunWorker(["ease-solve-worker", "--matrix", matrixPath, "--n", Text(x.ItemCount), "--threads", Text(t), .. first ? new[] { "--out", oursPath } : []]));
                        numpyRuns.Add(RunNumpy(matrixPath, x.ItemCount, t, first ? oursPath : null, float64: first && x.ItemCount < 10_000));
                        Console.WriteLine($"  {t} thread(s), run {r + 1}: ours {Seconds(oursRuns[^1]):F1} s, peak {Mb(oursRuns[^1]["peak_bytes"])} MB; numpy float32 {Seconds(numpyRuns[^1]["float32"]):F1} s, peak {Mb(numpyRuns[^1]["float32"]!["peak_bytes"])} MB");
                    }

                    load.Add(LoadAverage());
                    var oursSeconds = oursRuns.Min(Seconds);
                    var numpySeconds = numpyRuns.Min(run => Seconds(run["float32"]));
                    Console.WriteLine($"  {t} thread(s): best ours {oursSeconds:F1} s, best numpy {numpySeconds:F1} s, ratio {oursSeconds / numpySeconds:F2}");
                    caseFigures[$"threads_{t}"] = new JsonObject
                    {
                        ["ours_seconds"] = Math.Round(oursSeconds, 2),
                        ["ours_gflops"] = Math.Round(Math.Pow(x.ItemCount, 3) / oursSeconds / 1e9, 1),
                        ["ours_peak_mb"] = oursRuns.Max(run => Mb(run["peak_bytes"])),
                        ["numpy_float32_seconds"] = Math.Round(numpySeconds, 2),
                        ["numpy_float32_gflops"] = Math.Round(Math.Pow(x.ItemCount, 3) / numpySeconds / 1e9, 1),
                        ["numpy_float32_peak_mb"] = numpyRuns.Max(run => Mb(run["float32"]!["peak_bytes"])),
                        ["ratio_ours_to_numpy"] = Math.Round(oursSeconds / numpySeconds, 2),
                        ["ours_cpu_seconds"] = Math.Round(oursRuns.Min(run => run["cpu_seconds"]!.GetValue<double>()), 2),
                        ["numpy_float32_cpu_seconds"] = Math.Round(numpyRuns.Min(run => run["float32"]!["cpu_seconds"]!.GetValue<double>()), 2),
                        ["ratio_ours_to_numpy_cpu"] = Math.Round(oursRuns.Min(run => run["cpu_seconds"]!.GetValue<double>()) / numpyRuns.Min(run => run["float32"]!["cpu_seconds"]!.GetValue<double>()), 2),
                        ["ours_runs_seconds"] = new JsonArray([.. oursRuns.Select(run => (JsonNode?)Math.Round(Seconds(run), 2))]),
                        ["numpy_runs_seconds"] = new JsonArray([.. numpyRuns.Select(run => (JsonNode?)Math.Round(Seconds(run["float32"]), 2))]),
                        ["load_average_1min_between_runs"] = load,
                        ["numpy"] = numpyRuns[0],
                    };
                }

                File.Delete(matrixPath);
                File.Delete(oursPath);
                figures[$"items_{x.ItemCount}"] = caseFigures;
            }

            if (fits)
            {
                figures["precision_on_splits"] = Precision(threads[^1]);
                figures["solver_crossover"] = Crossover(threads[^1]);
                figures["ease_fit_20000_items"] = RunWorker(["ease-fit-worker", "--items", "20000", "--threads", Text(threads[^1])]);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        Console.WriteLine(BenchmarkReport.Write("training", "ease-solve", command, figures));
        return 0;
    }

    /// <summary>Runs a solve in this process: the worker side of <see cref="RunWorker"/>.</summary>
    public static int Solve(string matrixPath, int n, int threads, string? outPath)
    {
        var a = ReadMatrix(matrixPath, n);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        SymmetricInverse.Invert(a, n, threads);
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        var peak = BenchmarkReport.PeakWorkingSetBytes();
        if (outPath is not null)
        {
            using var stream = File.Create(outPath);
            stream.Write(MemoryMarshal.AsBytes(a.AsSpan()));
        }

        Console.WriteLine(new JsonObject { ["seconds"] = seconds, ["cpu_seconds"] = cpuSeconds, ["peak_bytes"] = peak }.ToJsonString());
        return 0;
    }

    /// <summary>A whole direct EASE fit on the generated catalogue, in this process, for its time and peak.</summary>
    public static int Fit(int items, int threads)
    {
        var x = Generated(items);
        var before = BenchmarkReport.PeakWorkingSetBytes();
        var clock = Stopwatch.StartNew();
        var model = new EaseTrainer(new EaseOptions { Solver = EaseSolver.Direct, MaxDegreeOfParallelism = threads }).Fit(x);
        var seconds = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(model);
        Console.WriteLine(new JsonObject
        {
            ["users"] = x.UserCount,
            ["items"] = x.ItemCount,
            ["interactions"] = x.NonZeroCount,
            ["threads"] = threads,
            ["fit_seconds"] = Math.Round(seconds, 2),
            ["peak_mb_before_fit"] = Mb(before),
            ["process_peak_mb"] = Mb(BenchmarkReport.PeakWorkingSetBytes()),
            ["estimate"] = EaseTrainer.EstimateDirect(x.ItemCount, threads).ToString(),
        }.ToJsonString());
        return 0;
    }

    private static (string Name, InteractionMatrix Matrix) Catalogue(int items) =>
        items < 10_000
            ? ("ml-latest-small stratified_user_seed42 train (binary)", SplitData.Load("stratified_user_seed42").Binary)
            : ($"generated: {items / 4 * 5:N0} users x 40 items, power-law popularity (u^2.5), 50 taste clusters, seed 42", Generated(items));

    /// <summary>Power-law popularity with taste clusters, as the scale benchmark generates; every item is drawn.</summary>
    private static InteractionMatrix Generated(int items)
    {
        const int PerUser = 40;
        const int Clusters = 50;
        var users = items / 4 * 5;
        var random = new Random(42);
        var u = new int[users * PerUser];
        var i = new int[users * PerUser];
        for (var user = 0; user < users; user++)
        {
            for (var k = 0; k < PerUser; k++)
            {
                var rank = (int)(items * Math.Pow(random.NextDouble(), 2.5));
                u[(user * PerUser) + k] = user;
                i[(user * PerUser) + k] = random.Next(3) == 0 ? rank : ((rank / Clusters * Clusters) + (user % Clusters)) % items;
            }
        }

        return InteractionMatrix.FromCoordinates(users, items, u, i, Enumerable.Repeat(1f, u.Length).ToArray(), merge: DuplicateMerge.Max);
    }

    /// <summary>
    /// Whether float32 is precise enough: EASE λ = 100 on each ml-latest-small split by the float32 direct sweep and
    /// by the float64 Woodbury solve (the same B in exact arithmetic), their largest difference in B and their
    /// ranking metrics.
    /// </summary>
    private static JsonArray Precision(int threads)
    {
        var rows = new JsonArray();
        foreach (var split in SplitsBenchmark.Splits)
        {
            var d = SplitData.Load(split);
            var direct = new EaseTrainer(new EaseOptions { Solver = EaseSolver.Direct, MaxDegreeOfParallelism = threads }).Fit(d.Binary);
            var woodbury = new EaseTrainer(new EaseOptions { Solver = EaseSolver.Woodbury, MaxDegreeOfParallelism = threads }).Fit(d.Binary);
            double maxDifference = 0, maxWeight = 0;
            for (var i = 0; i < d.Binary.ItemCount; i++)
            {
                var x = direct.Row(i);
                var y = woodbury.Row(i);
                for (var j = 0; j < x.Length; j++)
                {
                    maxDifference = Math.Max(maxDifference, Math.Abs(x[j] - y[j]));
                    maxWeight = Math.Max(maxWeight, Math.Abs(y[j]));
                }
            }

            var directMetrics = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, direct).Recommend);
            var woodburyMetrics = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, woodbury).Recommend);
            Console.WriteLine($"  {split}: max |B32 - B64| {maxDifference:E2} (max |B| {maxWeight:F3}); nDCG@10 {directMetrics["nDCG10"]:F6} float32 direct vs {woodburyMetrics["nDCG10"]:F6} float64 Woodbury");
            rows.Add(new JsonObject
            {
                ["split"] = split,
                ["items"] = d.Binary.ItemCount,
                ["max_abs_difference_b"] = maxDifference,
                ["max_abs_b"] = maxWeight,
                ["float32_direct"] = new JsonObject(directMetrics.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Math.Round(p.Value, 6)))),
                ["float64_woodbury"] = new JsonObject(woodburyMetrics.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Math.Round(p.Value, 6)))),
            });
        }

        return rows;
    }

    /// <summary>Whole EASE fits by both solvers at a fixed catalogue and growing user counts.</summary>
    private static JsonArray Crossover(int threads)
    {
        const int Items = 4000;
        var rows = new JsonArray();
        foreach (var users in new[] { 500, 1000, 1500, 2000, 3000 })
        {
            var x = Subsample(Generated(Items * 2), users, Items);
            var direct = Time(() => new EaseTrainer(new EaseOptions { Solver = EaseSolver.Direct, MaxDegreeOfParallelism = threads }).Fit(x));
            var woodbury = Time(() => new EaseTrainer(new EaseOptions { Solver = EaseSolver.Woodbury, MaxDegreeOfParallelism = threads }).Fit(x));
            var chosen = EaseTrainer.ChooseSolver(x.UserCount, x.ItemCount, x.NonZeroCount, threads);
            Console.WriteLine($"  crossover {users} users x {Items} items ({x.NonZeroCount:N0}): direct {direct:F2} s, woodbury {woodbury:F2} s, auto picks {chosen}");
            rows.Add(new JsonObject
            {
                ["users"] = users,
                ["items"] = Items,
                ["interactions"] = x.NonZeroCount,
                ["threads"] = threads,
                ["direct_seconds"] = Math.Round(direct, 2),
                ["woodbury_seconds"] = Math.Round(woodbury, 2),
                ["auto_picks"] = chosen.ToString(),
            });
        }

        return rows;
    }

    /// <summary>The first <paramref name="users"/> users restricted to the first <paramref name="items"/> items.</summary>
    private static InteractionMatrix Subsample(InteractionMatrix x, int users, int items)
    {
        var u = new List<int>();
        var i = new List<int>();
        for (var user = 0; user < users; user++)
        {
            foreach (var item in x.RowItems(user))
            {
                if (item < items)
                {
                    u.Add(user);
                    i.Add(item);
                }
            }
        }

        return InteractionMatrix.FromCoordinates(users, items, [.. u], [.. i], Enumerable.Repeat(1f, u.Count).ToArray());
    }

    private static double Time(Func<EaseModel> fit)
    {
        var clock = Stopwatch.StartNew();
        GC.KeepAlive(fit());
        return clock.Elapsed.TotalSeconds;
    }

    private static void WriteGram(InteractionMatrix x, string path)
    {
        var n = x.ItemCount;
        var g = new float[(long)n * n];
        for (var u = 0; u < x.UserCount; u++)
        {
            var items = x.RowItems(u);
            for (var a = 0; a < items.Length; a++)
            {
                for (var b = 0; b < items.Length; b++)
                {
                    g[((long)items[a] * n) + items[b]] += 1f;
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            g[((long)i * n) + i] += Lambda;
        }

        using var stream = File.Create(path);
        stream.Write(MemoryMarshal.AsBytes(g.AsSpan()));
    }

    private static float[] ReadMatrix(string path, int n)
    {
        var a = new float[(long)n * n];
        using var stream = File.OpenRead(path);
        stream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        return a;
    }

    /// <summary>Runs a worker verb of this program in a child process and parses the JSON line it prints last.</summary>
    private static JsonObject RunWorker(string[] arguments)
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EaseSolveBenchmark).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return LastJsonLine(start);
    }

    private static JsonObject RunNumpy(string matrixPath, int n, int threads, string? comparePath, bool float64)
    {
        var script = Path.Combine(BenchmarkReport.RepositoryRoot(), "tests", "benchmarks", "Recsys.Benchmarks.Training", "ease_solve_numpy.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
        foreach (var argument in new[] { script, "--matrix", matrixPath, "--n", Text(n) })
        {
            start.ArgumentList.Add(argument);
        }

        if (comparePath is not null)
        {
            start.ArgumentList.Add("--compare");
            start.ArgumentList.Add(comparePath);
        }

        if (float64)
        {
            start.ArgumentList.Add("--float64");
        }

        start.Environment["OPENBLAS_NUM_THREADS"] = Text(threads);
        start.Environment["OMP_NUM_THREADS"] = Text(threads);

        // Set on some processors for older OpenBLAS builds; they slow a current one, so unset both, for this command only.
        var coreTypeSet = start.Environment.ContainsKey("OPENBLAS_CORETYPE") && start.Environment.ContainsKey("OPENBLAS_L2_SIZE");
        if (coreTypeSet)
        {
            start.Environment.Remove("OPENBLAS_CORETYPE");
            start.Environment.Remove("OPENBLAS_L2_SIZE");
        }

        var result = LastJsonLine(start);
        result["threads"] = threads;
        result["unset_openblas_coretype_and_l2_size"] = coreTypeSet;
        return result;
    }

    private static JsonObject LastJsonLine(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        string? last = null;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            last = line;
        }

        process.WaitForExit();
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}");
        }

        return JsonNode.Parse(last)!.AsObject();
    }

    private static double Seconds(JsonNode? run) => run!["seconds"]?.GetValue<double>() ?? run["total_seconds"]!.GetValue<double>();

    /// <summary>The 1-minute load average: the machine is shared, so every timing is recorded with it.</summary>
    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;

    private static double Mb(JsonNode? bytes) => Mb(bytes!.GetValue<long>());

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
