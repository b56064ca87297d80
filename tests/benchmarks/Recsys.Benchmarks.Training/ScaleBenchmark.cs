using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Benchmarks;

/// <summary>
/// user-personalization with default hyperparameters on a generated dataset (default 20 M interactions, 200 k users,
/// 50 k items): the whole training pipeline (split, model choice, evaluation, final model) timed, with peak memory.
/// </summary>
internal static class ScaleBenchmark
{
    public static int Run(int users, int items, long interactions, string command)
    {
        var perUser = (int)(interactions / users);
        Console.WriteLine($"generating {users:N0} users x {perUser} interactions over {items:N0} items ...");
        var clock = Stopwatch.StartNew();
        TrainingInteractionsBuilder? builder = new TrainingInteractionsBuilder(checked(users * perUser));
        var random = new Random(42);
        Span<char> user = stackalloc char[16];
        Span<char> item = stackalloc char[16];
        var clusters = 50;
        for (var u = 0; u < users; u++)
        {
            "u".AsSpan().CopyTo(user);
            u.TryFormat(user[1..], out var userLength, provider: CultureInfo.InvariantCulture);
            var cluster = u % clusters;
            for (var k = 0; k < perUser; k++)
            {
                // Popularity is power-law; two thirds of a user's items come from the user's taste cluster.
                var rank = (int)(items * Math.Pow(random.NextDouble(), 2.5));
                var i = random.Next(3) == 0 ? rank : ((rank / clusters * clusters) + cluster) % items;
                "i".AsSpan().CopyTo(item);
                i.TryFormat(item[1..], out var itemLength, provider: CultureInfo.InvariantCulture);
                builder.Add(user[..(userLength + 1)], item[..(itemLength + 1)], 1_700_000_000L + (k * 3600L) + random.Next(3600), "click".AsSpan(), null);
            }
        }

        var generated = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"generated in {generated:F1} s; training ...");
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "algorithmHyperParameters", new Dictionary<string, string[]>());
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        clock.Restart();
        var data = TrainingDataset.Build(builder.Build(), null, TrainingFilter.None);
        builder = null; // as the training job lets the loaded rows go once the matrix is built (this method runs unoptimized: locals live to its end)
        var built = clock.Elapsed.TotalSeconds;
        // The working set is sampled twice a second and its peak kept per phase, to show which phase holds what.
        var phasePeaks = new Dictionary<string, long>();
        var current = "DATASET";
        var gate = new Lock();
        void Sample()
        {
            using var process = Process.GetCurrentProcess();
            lock (gate)
            {
                phasePeaks[current] = Math.Max(phasePeaks.GetValueOrDefault(current), process.WorkingSet64);
            }
        }

        using var sampler = new Timer(_ => Sample(), null, 0, 500);
        var outcome = TrainingPipeline.Run(data, recipe, [defaults], new TrainingSettings(), progress: (phase, percent) =>
        {
            Sample();
            lock (gate)
            {
                current = phase;
            }

            Console.WriteLine($"  {clock.Elapsed.TotalSeconds,7:F1} s  {phase} {percent}%  working set {Environment.WorkingSet / 1048576.0:F0} MB");
        });
        Sample();
        lock (gate)
        {
            current = "SAVING";
        }

        var model = SolutionModel.Create(recipe.Name, data, outcome);
        long artifactBytes;
        using (var sink = new CountingStream())
        {
            model.Write(sink);
            artifactBytes = sink.Length;
        }

        var total = clock.Elapsed.TotalSeconds;
        Sample();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
        var peak = BenchmarkReport.PeakWorkingSetBytes();
        Console.WriteLine($"trained in {total:F1} s (cpu {cpu:F1} s), peak working set {peak / 1048576.0:F0} MB, model {outcome.Hyperparameters.GetString("model")}, nDCG@10 {outcome.Metrics["normalized_discounted_cumulative_gain_at_10"]}");

        var figures = new JsonObject
        {
            ["recipe"] = recipe.Name,
            ["hyperparameters"] = "defaults (model=auto)",
            ["users"] = data.UserIds.Count,
            ["items"] = data.ItemIds.Count,
            ["interactions"] = data.InteractionCount,
            ["stored_pairs"] = data.Matrix.NonZeroCount,
            ["generator"] = "power-law item popularity (u^2.5), 50 taste clusters, 2/3 of each user's items from the cluster; seed 42",
            ["generate_seconds"] = Math.Round(generated, 1),
            ["dataset_build_seconds"] = Math.Round(built, 1),
            ["train_seconds_total"] = Math.Round(total, 1),
            ["train_cpu_seconds"] = Math.Round(cpu, 1),
            ["phase_seconds"] = new JsonObject(outcome.Timings.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["model_chosen"] = outcome.Hyperparameters.GetString("model"),
            ["candidates"] = outcome.Evaluation.Candidates?.Count ?? 1,
            ["validation_candidates"] = new JsonArray([.. (outcome.Evaluation.Candidates ?? []).Select(c => (JsonNode)new JsonObject
            {
                ["hyperparameters"] = string.Join(";", c.Hyperparameters.Select(h => h.Key + "=" + h.Value)),
                ["validation_nDCG10"] = Math.Round(c.Objective, 6),
                ["blend_weight"] = c.BlendWeight,
                ["fit_seconds"] = Math.Round(c.Seconds, 1),
            })]),
            ["blend_validation_nDCG10"] = outcome.Evaluation.BlendObjective,
            ["history_recency_floor"] = outcome.Evaluation.HistoryRecency?.Floor,
            ["history_recency_tried"] = outcome.Evaluation.HistoryRecency is { } recency
                ? string.Join("; ", recency.Tried.Select(t => FormattableString.Invariant($"floor {t.Floor}: validation {t.Objective:F4} (temporal {t.TemporalFoldObjective:F4}, random {t.RandomFoldObjective:F4}){(t.Chosen ? " chosen" : string.Empty)}")))
                : "not tried (time carries no order)",
            ["ease_head_items"] = RecipeModels.EaseHeadItems(data.Matrix),
            ["peak_working_set_mb_by_phase"] = new JsonObject(phasePeaks.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Math.Round(p.Value / 1048576.0)))),
            ["scored_test_users"] = (int)outcome.Metrics["evaluated_users"],
            ["ndcg_at_10"] = outcome.Metrics["normalized_discounted_cumulative_gain_at_10"],
            ["precision_at_10"] = outcome.Metrics["precision_at_10"],
            ["coverage"] = outcome.Metrics["coverage"],
            ["artifact_mb"] = Math.Round(artifactBytes / 1048576.0, 1),
            ["process_peak_working_set_mb"] = Math.Round(peak / 1048576.0, 1),
            ["gc_heap_hard_limit_mb"] = Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is null ? null : Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1048576.0),
            ["gc_collections_gen2"] = GC.CollectionCount(2),
            ["targets"] = "train <= 300 s on 2 cores, peak memory < 4096 MB",
            ["note"] = "train_seconds_total covers building the filtered matrix, the split, model choice, evaluation on held-out users, the final fit and building the served model; generation is excluded. Peak working set is the whole process's, generation included.",
        };
        Console.WriteLine(BenchmarkReport.Write("training", "scale", command, figures));
        return 0;
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
