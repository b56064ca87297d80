using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Storage;

namespace Recsys.Benchmarks.Serving;

/// <summary>
/// Batch inference throughput: a 100 k-item shop imported and trained (user-personalization, ALS, 64 factors) through
/// the API, then one batch inference job over a JSON-lines file of user lines, run by the batchJob function through
/// the local host's queue trigger; users/s is lines answered over the job's run time (queue pickup included).
/// </summary>
internal static class BatchBenchmark
{
    private const int Items = 100_000;
    private const long Interactions = 1_000_000;
    private const int NumResults = 25;

    public static async Task<(JsonObject Figures, bool Passed)> RunAsync(int users)
    {
        await using var host = await ServingHost.StartAsync();
        var deployment = await host.DeployAsync(Items, Interactions, new Dictionary<string, string> { ["model"] = "als", ["als_factors"] = "64" });

        var input = Path.GetTempFileName();
        try
        {
            var random = new Random(11);
            await using (var writer = new StreamWriter(input, false, new UTF8Encoding(false)))
            {
                for (var i = 0; i < users; i++)
                {
                    var user = random.Next(10) == 0 ? "unknown-" + i : "u" + random.Next(deployment.Users);
                    await writer.WriteAsync("{\"userId\":\"" + user + "\"}\n");
                }
            }

            var storage = host.Services.GetRequiredService<StorageClients>();
            var container = storage.Container(StorageNames.JobsContainer);
            await container.CreateIfNotExistsAsync();
            await container.GetBlobClient("bench/users.json").UploadAsync(input, overwrite: true);

            Console.WriteLine($"running a batch inference job over {users} users ...");
            var clock = Stopwatch.StartNew();
            await host.SendAsync(HttpMethod.Post, "/api/manage/batch-inference-jobs", new JsonObject
            {
                ["jobName"] = "bench", ["solutionVersionArn"] = deployment.SolutionVersionArn, ["numResults"] = NumResults,
                ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/bench/users.json" } },
                ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/bench/out/" } },
            });
            // Memory while the job runs: the process (host, model, job) and its managed heap, sampled with the status.
            using var process = Process.GetCurrentProcess();
            GC.Collect();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            var workingSetBefore = process.WorkingSet64;
            long peakWorkingSet = workingSetBefore, peakHeap = heapBefore;
            JsonNode job;
            while (true)
            {
                job = (await host.SendAsync(HttpMethod.Get, "/api/manage/batch-inference-jobs/bench"))!["batchInferenceJob"]!;
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                if ((string?)job["status"] is "ACTIVE" or "CREATE FAILED")
                {
                    break;
                }

                await Task.Delay(200);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var read = (long)job["linesRead"]!;
            var failed = (long)job["linesFailed"]!;
            var perSecond = read / seconds;
            var passed = (string?)job["status"] == "ACTIVE" && read == users && failed == 0;
            return (new JsonObject
            {
                ["target"] = "every line answered, 0 line errors (throughput reported)",
                ["meetsTarget"] = passed,
                ["status"] = (string?)job["status"],
                ["failureReason"] = (string?)job["failureReason"],
                ["lines"] = read,
                ["linesFailed"] = failed,
                ["seconds"] = Math.Round(seconds, 2),
                ["usersPerSecond"] = Math.Round(perSecond, 1),
                ["numResults"] = NumResults,
                ["memory"] = new JsonObject
                {
                    ["workingSetBeforeJobMb"] = Math.Round(workingSetBefore / 1048576.0, 1),
                    ["peakWorkingSetDuringJobMb"] = Math.Round(peakWorkingSet / 1048576.0, 1),
                    ["managedHeapBeforeJobMb"] = Math.Round(heapBefore / 1048576.0, 1),
                    ["peakManagedHeapDuringJobMb"] = Math.Round(peakHeap / 1048576.0, 1),
                    ["note"] = "this process holds the local host, the trained 100 k-item model and the job; Azurite runs in its own process. Sampled every 200 ms.",
                },
                ["lineMix"] = "90 % training users (uniform), 10 % unknown users; no filter",
                ["dataset"] = deployment.DatasetFigures(),
                ["solution"] = "aws-user-personalization, model=als, als_factors=64 (other hyperparameters default), trained by the training job",
                ["setup"] = "local host (same process) and Azurite (Node.js, in-memory) on the same machine; input and output streamed through Blob Storage; "
                    + "each line reads the user's real-time history from Table Storage, 64 lines in flight",
            }, passed);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
