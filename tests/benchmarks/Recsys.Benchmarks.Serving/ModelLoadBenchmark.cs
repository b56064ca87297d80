using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;

namespace Recsys.Benchmarks.Serving;

/// <summary>
/// Cold load of a 100 k-item model: Azurite and the local host in-process, a 100 k-item shop imported and trained
/// (user-personalization, ALS with 64 factors) by the training job, then the version's model loaded from Blob Storage by
/// new <see cref="SolutionModelLoader"/> instances (nothing cached), one after another.
/// </summary>
internal static class ModelLoadBenchmark
{
    private const int Items = 125_000;
    private const long Interactions = 2_500_000;
    private const double TargetMs = 300;

    public static async Task<(JsonObject Figures, bool Passed)> RunAsync(int loads)
    {
        await using var host = await ServingHost.StartAsync();
        var deployment = await host.DeployAsync(Items, Interactions, new Dictionary<string, string>
        {
            ["model"] = "als", ["als_factors"] = "64", ["als_iterations"] = "3",
        });

        var services = host.Services;
        var store = services.GetRequiredService<ISolutionModelStore>();
        var name = ResourceArn.Resolve(SolutionVersion.ResourceType, deployment.SolutionVersionArn, "solutionVersionArn");
        var solution = name[..name.IndexOf('/', StringComparison.Ordinal)];
        var version = name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var manifest = (await store.ReadManifestAsync(solution, version))!;
        long artifactBytes;
        await using (var artifact = await store.OpenArtifactAsync(manifest.ArtifactPath))
        {
            artifactBytes = artifact.Length;
        }

        var times = new List<double>();
        SolutionModel? model = null;
        for (var i = 0; i < loads; i++)
        {
            GC.Collect();
            var loader = new SolutionModelLoader(
                services.GetRequiredService<SolutionService>(), store, services.GetRequiredService<ILearningToRank>());
            var start = Stopwatch.GetTimestamp();
            model = await loader.LoadAsync(deployment.SolutionVersionArn);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Console.WriteLine($"load {i + 1}: {times[^1]:F1} ms ({model.ItemCount:N0} items)");
        }

        // Where the time goes: the blob read alone, and the parse of an artifact already in memory.
        var clock = Stopwatch.StartNew();
        using var buffer = new MemoryStream();
        await using (var artifact = await store.OpenArtifactAsync(manifest.ArtifactPath))
        {
            await artifact.CopyToAsync(buffer);
        }

        var downloadMs = clock.Elapsed.TotalMilliseconds;
        buffer.Position = 0;
        clock.Restart();
        SolutionModel.Read(buffer, services.GetRequiredService<ILearningToRank>());
        var parseMs = clock.Elapsed.TotalMilliseconds;

        var warm = times.Skip(1).Order().ToArray();
        var median = warm.Length == 0 ? times[0] : warm[warm.Length / 2];
        var passed = median <= TargetMs;
        return (new JsonObject
        {
            ["target"] = "<= 300 ms to load a 100 k-item model from Blob Storage into a fresh instance",
            ["meetsTarget"] = passed,
            ["items"] = model!.ItemCount,
            ["users"] = model.UserCount,
            ["factors"] = 64,
            ["artifactBytes"] = artifactBytes,
            ["loads"] = loads,
            ["firstLoadMs"] = Math.Round(times[0], 1),
            ["medianLoadMs"] = Math.Round(median, 1),
            ["maxLoadMs"] = Math.Round(times.Max(), 1),
            ["loadMs"] = new JsonArray([.. times.Select(t => (JsonNode?)Math.Round(t, 1))]),
            ["blobDownloadMs"] = Math.Round(downloadMs, 1),
            ["parseFromMemoryMs"] = Math.Round(parseMs, 1),
            ["what"] = "new SolutionModelLoader(...).LoadAsync(version): version record (table), manifest and artifact (blobs), SolutionModel.Read; "
                + "the first load also pays the JIT of the read path, the median is over the later ones (each a new loader, nothing cached)",
            ["dataset"] = new JsonObject
            {
                ["generator"] = "SyntheticDataGenerator, seed 7",
                ["users"] = deployment.Users,
                ["items"] = deployment.Items,
                ["interactions"] = deployment.Interactions,
                ["importSeconds"] = deployment.ImportSeconds,
                ["trainSeconds"] = deployment.TrainSeconds,
            },
            ["solution"] = "aws-user-personalization, model=als, als_factors=64, als_iterations=3 (iterations do not change the artifact), trained by the training job; the generator gets 125 k catalogue items so that about 100 k have interactions and enter the model",
            ["setup"] = "local host in-process, Azurite (Node.js, in-memory) on the same machine",
        }, passed);
    }
}
