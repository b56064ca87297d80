using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recsys.Benchmarks;
using Recsys.Benchmarks.Serving;

const string Usage = """
    usage: dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Serving -- <command> [options]
      in-process [--requests 5000]              getRecommendations latency, 10 k and 100 k items x 64 factors, with and without a filter
      http [--clients 8] [--seconds 20]         sustained POST /api/recommendations through the local host and Azurite
      model-load [--loads 5]                    cold load of a 100 k-item model from Blob Storage into a new SolutionModelLoader
      batch [--users 100000]                    batch inference job throughput (users/s), 100 k items, through the batchJob function
      serving-during-training [--seconds 10] [--rate 200] [--interactions 2000000] [--rounds 3]
                                                in-process recommendation p50/p99 with no training, previous-style training and TrainingScheduler training
    """;

if (args.Length == 0 || (args.Length - 1) % 2 != 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new Dictionary<string, int>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    options[args[i][2..]] = value;
}

int Option(string name, int fallback) => options.GetValueOrDefault(name, fallback);

JsonObject figures;
bool passed;
switch (args[0])
{
    case "in-process" when options.Keys.All(k => k is "requests"):
        (figures, passed) = InProcessBenchmark.Run(Option("requests", 5000));
        break;
    case "http" when options.Keys.All(k => k is "clients" or "seconds"):
        (figures, passed) = await HttpServingBenchmark.RunAsync(Option("clients", 8), Option("seconds", 20));
        break;
    case "model-load" when options.Keys.All(k => k is "loads"):
        (figures, passed) = await ModelLoadBenchmark.RunAsync(Option("loads", 5));
        break;
    case "batch" when options.Keys.All(k => k is "users"):
        (figures, passed) = await BatchBenchmark.RunAsync(Option("users", 100_000));
        break;
    case "serving-during-training" when options.Keys.All(k => k is "seconds" or "rate" or "interactions" or "rounds"):
        (figures, passed) = ServingDuringTrainingBenchmark.Run(Option("seconds", 10), Option("rate", 200), Option("interactions", 2_000_000), Option("rounds", 3));
        break;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

var command = (System.Runtime.GCSettings.IsServerGC ? "DOTNET_gcServer=1 " : string.Empty)
    + "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Serving -- " + string.Join(' ', args);
// serving-during-training depends on the GC flavour (DOTNET_gcServer=1): each keeps its own results file.
var name = args[0] == "serving-during-training" && System.Runtime.GCSettings.IsServerGC ? args[0] + "-server-gc" : args[0];
var path = BenchmarkReport.Write("serving", name, command, figures);
Console.WriteLine(figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine("Wrote " + path);
return passed ? 0 : 1;
