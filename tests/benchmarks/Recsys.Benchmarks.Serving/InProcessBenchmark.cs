using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recsys.Core.Campaigns;
using Recsys.Core.Events;
using Recsys.Core.Filters;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Core.Runtime;
using Recsys.Core.Solutions;
using Recsys.Data.Synthetic;
using Recsys.Data.Training;

namespace Recsys.Benchmarks.Serving;

/// <summary>
/// getRecommendations in-process, single-threaded: the work <see cref="RecommendationService.GetRecommendationsAsync"/>
/// does once the campaign, model, user history, catalog and filter are in memory (all cached per instance, except the
/// history, a storage point read): binding the filter to the request, then <c>RecommendationService.Recommend</c> —
/// the very method the service calls (fold-in scoring of every item, top-K, filter, popular fill, result objects).
/// </summary>
internal static class InProcessBenchmark
{
    private const int Categories = 20;
    private const int NumResults = 25;
    private const int RecentEvents = 5;

    public static (JsonObject Figures, bool Passed) Run(int requests)
    {
        var configs = new JsonArray();
        var passed = true;
        foreach (var items in new[] { 10_000, 100_000 })
        {
            var (model, catalog, trainSeconds, artifactBytes, users) = BuildModel(items);
            var filter = CompiledFilter.Compile(
                FilterParser.Parse("EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)"), new FilterData(catalog.Items));
            foreach (var filtered in new[] { false, true })
            {
                var latencies = Measure(model, catalog, filtered ? filter : null, users, requests, out var allocated, out var gcs);
                var p99 = Percentile(latencies, 0.99);
                var target = items == 100_000 ? p99 <= 2.0 : (bool?)null;
                passed &= target ?? true;
                configs.Add(new JsonObject
                {
                    ["items"] = model.ItemCount,
                    ["factors"] = 64,
                    ["users"] = model.UserCount,
                    ["filter"] = filtered ? "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY), one random category of 20 per request" : null,
                    ["requests"] = requests,
                    ["latencyMs"] = new JsonObject
                    {
                        ["mean"] = Math.Round(latencies.Average(), 3),
                        ["p50"] = Percentile(latencies, 0.50),
                        ["p90"] = Percentile(latencies, 0.90),
                        ["p99"] = p99,
                        ["max"] = Math.Round(latencies[^1], 3),
                    },
                    ["allocatedBytesPerRequest"] = allocated / requests,
                    ["gen0Collections"] = gcs[0],
                    ["gen1Collections"] = gcs[1],
                    ["gen2Collections"] = gcs[2],
                    ["meetsTargetP99At100k"] = target,
                    ["modelTrainSeconds"] = trainSeconds,
                    ["artifactBytes"] = artifactBytes,
                });
                Console.WriteLine($"{items,7:N0} items, filter {filtered,-5}: p50 {Percentile(latencies, 0.5):F3} ms, p99 {p99:F3} ms, mean {latencies.Average():F3} ms");
            }
        }

        return (new JsonObject
        {
            ["target"] = "p99 <= 2 ms at 100 k items",
            ["threads"] = 1,
            ["numResults"] = NumResults,
            ["path"] = "per request: RecommendationService.Bind (filter only) + RecommendationService.Recommend, the I/O-free part of GetRecommendationsAsync; "
                + "the campaign, model, catalog and compiled filter come from per-instance caches and the history from one storage point read, which are not measured here",
            ["requestMix"] = $"a random training user (power-law) with its stored history plus {RecentEvents} real-time events on random items; numResults {NumResults}",
            ["model"] = "user-personalization, model=als, 64 factors, 5 iterations, trained by TrainingPipeline.Run (the training job's code) on generated data "
                + "(users in 50 taste clusters, power-law popularity, 30 interactions each; every catalogue item in the Items metadata), then written and read back as the artifact",
            ["warmup"] = "1,000 requests, then a 0.5 s pause for tiered JIT",
            ["configs"] = configs,
        }, passed);
    }

    private static double[] Measure(SolutionModel model, ItemCatalog catalog, CompiledFilter? filter, string[] users, int requests, out long allocated, out int[] gcs)
    {
        var campaign = new Campaign
        {
            Name = "bench", Solution = "bench", SolutionVersion = "v1", DatasetGroup = "bench", Recipe = RecipeCatalog.UserPersonalization,
            State = ResourceState.New(ResourceStatus.Active, DateTimeOffset.UtcNow),
        };
        var random = new Random(11);
        var timestamp = DateTimeOffset.UtcNow;
        var requestsData = Enumerable.Range(0, requests + 1000).Select(_ =>
        {
            var user = users[(int)(users.Length * Math.Pow(random.NextDouble(), 2))];
            var history = Enumerable.Range(0, RecentEvents)
                .Select(e => new HistoryEvent("e" + e, model.ItemIds[(int)(model.ItemCount * Math.Pow(random.NextDouble(), 3))], "click", null, timestamp.AddSeconds(e)))
                .ToArray();
            var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["CATEGORY"] = $"\"c{random.Next(Categories)}\"" };
            return (User: user, History: history, Values: values);
        }).ToArray();

        void One(int i)
        {
            var (user, history, values) = requestsData[i];
            var predicate = filter is null ? null : RecommendationService.Bind(filter, values, user, null, history);
            var result = RecommendationService.Recommend(model, catalog, campaign, user, null, history, NumResults, predicate, null, null, null, TimeProvider.System);
            if (result.Length != NumResults)
            {
                throw new InvalidOperationException($"Expected {NumResults} items, got {result.Length}.");
            }
        }

        for (var i = 0; i < 1000; i++)
        {
            One(requests + i);
        }

        Thread.Sleep(500);
        var latencies = new double[requests];
        GC.Collect();
        var gcBefore = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            One(i);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        gcs = [GC.CollectionCount(0) - gcBefore[0], GC.CollectionCount(1) - gcBefore[1], GC.CollectionCount(2) - gcBefore[2]];
        Array.Sort(latencies);
        return latencies;
    }

    /// <summary>
    /// Trains user-personalization (ALS, 64 factors) on generated data whose catalogue is exactly <paramref name="items"/>
    /// items, through the training job's pipeline, and returns the model as the loader would read it, with a catalog
    /// whose items have a CATEGORY_L1 (the taste cluster's category) and a creation time.
    /// </summary>
    internal static (SolutionModel Model, ItemCatalog Catalog, double TrainSeconds, long ArtifactBytes, string[] Users) BuildModel(int items)
    {
        var clock = Stopwatch.StartNew();
        const int Clusters = 50;
        const int PerUser = 30;
        var userCount = Math.Max(10_000, items / 2);
        Console.WriteLine($"training ALS on {userCount:N0} users x {PerUser} interactions over {items:N0} items ...");
        var builder = new TrainingInteractionsBuilder(userCount * PerUser);
        var random = new Random(42);
        for (var u = 0; u < userCount; u++)
        {
            var cluster = u % Clusters;
            for (var k = 0; k < PerUser; k++)
            {
                var rank = (int)(items * Math.Pow(random.NextDouble(), 2.5));
                var i = random.Next(3) == 0 ? rank : ((rank / Clusters * Clusters) + cluster) % items;
                builder.Add("u" + u.ToString(CultureInfo.InvariantCulture), "i" + i.ToString(CultureInfo.InvariantCulture), 1_700_000_000L + (k * 3600L) + random.Next(3600), "click");
            }
        }

        var itemIds = Enumerable.Range(0, items).Select(i => "i" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var metadata = new ItemMetadata(itemIds, itemIds.Select((_, i) => (IReadOnlyList<string>)[$"CATEGORY_L1=c{i % Clusters % Categories}"]).ToArray());
        var data = TrainingDataset.Build(builder.Build(), metadata, TrainingFilter.None);
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var hyperparameters = RecipeCatalog.Resolve(
            recipe, new Dictionary<string, string> { ["model"] = "als", ["als_factors"] = "64", ["als_iterations"] = "5" }, "algorithmHyperParameters", new Dictionary<string, string[]>());
        var outcome = TrainingPipeline.Run(data, recipe, [hyperparameters], new TrainingSettings { MaxScoredTestUsers = 1_000 });
        var trained = SolutionModel.Create(recipe.Name, data, outcome);
        using var artifact = new MemoryStream();
        trained.Write(artifact);
        artifact.Position = 0;
        var model = SolutionModel.Read(artifact);
        var trainSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        Console.WriteLine($"trained in {trainSeconds} s; artifact {artifact.Length / 1048576.0:F1} MB");

        var index = new AttributeIndexBuilder("ITEM_ID", model.ItemIds);
        var created = DateTimeOffset.UtcNow.AddDays(-400).ToUnixTimeSeconds();
        for (var i = 0; i < model.ItemCount; i++)
        {
            var id = model.ItemIds[i];
            var n = int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture);
            index.Add(id, new Dictionary<string, object?>
            {
                ["CATEGORY_L1"] = $"c{n % Clusters % Categories}",
                ["CATEGORY_L2"] = $"c{n % Clusters}",
                ["PRICE"] = 10.0 + (n % 90),
                ["CREATION_TIMESTAMP"] = created + n,
            }, SyntheticDataGenerator.ItemsSchema);
        }

        var catalog = new ItemCatalog(index.Build(), SyntheticDataGenerator.ItemsSchema, null, DateTimeOffset.UtcNow);
        var users = Enumerable.Range(0, userCount).Select(u => "u" + u.ToString(CultureInfo.InvariantCulture)).ToArray();
        return (model, catalog, trainSeconds, artifact.Length, users);
    }

    internal static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 3);
}
