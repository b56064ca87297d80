using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recsys.Algorithms;
using Recsys.Core.Campaigns;
using Recsys.Core.Events;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Core.Runtime;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Benchmarks.Serving;

/// <summary>
/// Recommendation latency in one process while a large training runs beside it (issue 12, item 6). Requests arrive
/// open-loop at a fixed rate and are served on the thread pool, as the HTTP host serves them; a request's latency runs
/// from its scheduled arrival to its answer, so time spent waiting for a thread counts. Three windows, side by side in
/// one run, taking turns for several rounds: no training; training as it ran before (every core, normal priority);
/// training on the <see cref="TrainingScheduler"/> default (cores − 1 threads, below-normal priority / nice 10); and
/// cores − 1 threads at normal priority.
/// Training is the training job's pipeline (ALS, 64 factors) on generated interactions, restarted until the window ends.
/// </summary>
internal static class ServingDuringTrainingBenchmark
{
    private const int ServingItems = 10_000;
    private const int NumResults = 25;

    public static (JsonObject Figures, bool Passed) Run(int seconds, int rate, int interactions, int rounds)
    {
        var (model, catalog, _, _, users) = InProcessBenchmark.BuildModel(ServingItems);
        Console.WriteLine($"generating {interactions:N0} training interactions ...");
        var training = TrainingData(interactions);
        var window = TimeSpan.FromSeconds(seconds);
        var loadBefore = LoadAverage();

        // Warm up serving (JIT tiers, thread pool) before anything is measured.
        Serve(model, catalog, users, TimeSpan.FromSeconds(3), rate);

        // The three modes take turns, round after round, so that load from other processes drifts over all of them alike.
        string[] names =
        [
            "no training",
            "training on every core at normal priority (the previous behaviour)",
            $"training on TrainingScheduler defaults ({TrainingScheduler.DefaultDegreeOfParallelism} threads, below-normal priority)",
            $"training on {TrainingScheduler.DefaultDegreeOfParallelism} threads at normal priority (TrainingScheduler.Configure(null, lowerPriority: false))",
        ];
        var latencies = names.Select(_ => new List<double>()).ToArray();
        var trainings = new int[names.Length];
        for (var round = 0; round < rounds; round++)
        {
            for (var mode = 0; mode < names.Length; mode++)
            {
                var scheduler = mode switch
                {
                    0 => null,
                    1 => new TrainingScheduler(Environment.ProcessorCount, lowerPriority: false),
                    2 => new TrainingScheduler(TrainingScheduler.DefaultDegreeOfParallelism),
                    _ => new TrainingScheduler(TrainingScheduler.DefaultDegreeOfParallelism, lowerPriority: false),
                };
                var (measured, completed) = Window(names[mode] + $", round {round + 1}", scheduler, model, catalog, users, training, window, rate);
                latencies[mode].AddRange(measured);
                trainings[mode] += completed;
            }
        }

        var windows = new JsonArray();
        var p99 = new double[names.Length];
        for (var mode = 0; mode < names.Length; mode++)
        {
            var sorted = latencies[mode].Order().ToArray();
            p99[mode] = InProcessBenchmark.Percentile(sorted, 0.99);
            windows.Add(new JsonObject
            {
                ["name"] = names[mode],
                ["trainingThreads"] = mode switch { 0 => null, 1 => Environment.ProcessorCount, _ => TrainingScheduler.DefaultDegreeOfParallelism },
                ["lowerPriority"] = mode == 2,
                ["requests"] = sorted.Length,
                ["latencyMs"] = new JsonObject
                {
                    ["p50"] = InProcessBenchmark.Percentile(sorted, 0.50),
                    ["p90"] = InProcessBenchmark.Percentile(sorted, 0.90),
                    ["p99"] = p99[mode],
                    ["max"] = Math.Round(sorted[^1], 3),
                },
                ["trainingsCompleted"] = trainings[mode],
            });
            Console.WriteLine($"{names[mode]}: p50 {InProcessBenchmark.Percentile(sorted, 0.50):F3} ms, p99 {p99[mode]:F3} ms");
        }

        var passed = p99[2] <= 50;
        return (new JsonObject
        {
            ["target"] = "p99 <= 50 ms during training on 2 cores (issue 12)",
            ["meetsTarget"] = passed,
            ["p99RatioPreviousToNow"] = p99[2] > 0 ? Math.Round(p99[1] / p99[2], 2) : null,
            ["p99RatioPreviousToBoundedNormalPriority"] = p99[3] > 0 ? Math.Round(p99[1] / p99[3], 2) : null,
            ["requestRatePerSecond"] = rate,
            ["windowSeconds"] = seconds,
            ["rounds"] = rounds,
            ["serverGc"] = System.Runtime.GCSettings.IsServerGC,
            ["loadAverageBefore"] = loadBefore,
            ["loadAverageAfter"] = LoadAverage(),
            ["serving"] = $"RecommendationService.Recommend on a {ServingItems:N0}-item ALS model (64 factors), numResults {NumResults}, each request queued to the thread pool at its arrival time; latency from arrival to answer",
            ["training"] = $"TrainingPipeline.Run, user-personalization model=als, 64 factors, 5 iterations, on {interactions:N0} generated interactions, repeated until the window ends",
            ["windows"] = windows,
        }, passed);
    }

    /// <summary>The 1-minute load average (Linux), so that a reader can tell a busy machine from a quiet one.</summary>
    private static string? LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null;

    private static TrainingDataset TrainingData(int interactions)
    {
        const int PerUser = 20;
        var users = interactions / PerUser;
        var items = Math.Max(20_000, users / 5);
        var builder = new TrainingInteractionsBuilder(interactions);
        var random = new Random(5);
        for (var u = 0; u < users; u++)
        {
            for (var k = 0; k < PerUser; k++)
            {
                var item = (int)(items * Math.Pow(random.NextDouble(), 2.5));
                builder.Add("u" + u.ToString(CultureInfo.InvariantCulture), "i" + item.ToString(CultureInfo.InvariantCulture), 1_700_000_000L + (k * 3600L), "click");
            }
        }

        return TrainingDataset.Build(builder.Build(), ItemMetadata.Empty, TrainingFilter.None);
    }

    private static (double[] Latencies, int Trainings) Window(
        string name, TrainingScheduler? scheduler, SolutionModel model, ItemCatalog catalog, string[] users, TrainingDataset training, TimeSpan window, int rate)
    {
        Console.WriteLine($"window: {name} ...");
        using var stop = new CancellationTokenSource();
        var trainings = 0;
        Task trainer = Task.CompletedTask;
        if (scheduler is not null)
        {
            TrainingScheduler.Use(scheduler);
            var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
            var hyperparameters = RecipeCatalog.Resolve(
                recipe, new Dictionary<string, string> { ["model"] = "als", ["als_factors"] = "64", ["als_iterations"] = "5" }, "algorithmHyperParameters", new Dictionary<string, string[]>());
            trainer = scheduler.RunAsync(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        TrainingPipeline.Run(training, recipe, [hyperparameters], new TrainingSettings { MaxScoredTestUsers = 1_000 }, cancellationToken: stop.Token);
                        Interlocked.Increment(ref trainings);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                return 0;
            });

            Thread.Sleep(2_000); // let training reach its parallel phases
        }

        GC.Collect();
        var latencies = Serve(model, catalog, users, window, rate);
        stop.Cancel();
        trainer.Wait();
        Array.Sort(latencies);
        Console.WriteLine($"  {latencies.Length:N0} requests: p50 {InProcessBenchmark.Percentile(latencies, 0.50):F3} ms, p99 {InProcessBenchmark.Percentile(latencies, 0.99):F3} ms; trainings completed {trainings}");
        return (latencies, trainings);
    }

    private static double[] Serve(SolutionModel model, ItemCatalog catalog, string[] users, TimeSpan window, int rate)
    {
        var campaign = new Campaign
        {
            Name = "bench", Solution = "bench", SolutionVersion = "v1", DatasetGroup = "bench", Recipe = RecipeCatalog.UserPersonalization,
            State = ResourceState.New(ResourceStatus.Active, DateTimeOffset.UtcNow),
        };
        var random = new Random(17);
        var count = (int)(window.TotalSeconds * rate);
        var latencies = new ConcurrentBag<double>();
        using var done = new CountdownEvent(count);
        var interval = Stopwatch.Frequency / (double)rate;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.Sleep(0);
            }

            var user = users[(int)(users.Length * Math.Pow(random.NextDouble(), 2))];
            ThreadPool.QueueUserWorkItem(_ =>
            {
                var result = RecommendationService.Recommend(model, catalog, campaign, user, null, Array.Empty<HistoryEvent>(), NumResults, null, null, null, null, TimeProvider.System);
                latencies.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds + (result.Length == NumResults ? 0 : double.NaN));
                done.Signal();
            });
        }

        done.Wait();
        return [.. latencies];
    }
}
