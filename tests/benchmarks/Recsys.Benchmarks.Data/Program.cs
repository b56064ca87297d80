using System.Globalization;
using System.Text.Json.Nodes;
using Recsys.Benchmarks;
using Recsys.Benchmarks.Data;

const string Usage = "usage: dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Data -- import-parse|import-azurite|training-dedup [--rows 10000000]";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

if (args[0] == ImportAzuriteBenchmark.ChildCommand)
{
    // The measured import, in a process of its own so that its peak memory is its own.
    return await ImportAzuriteBenchmark.RunChildAsync(args);
}

var rows = 10_000_000L;
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--rows" && i + 1 < args.Length)
    {
        rows = long.Parse(args[++i], CultureInfo.InvariantCulture);
    }
}

JsonObject figures;
switch (args[0])
{
    case "import-parse":
        figures = await ImportParseBenchmark.RunAsync(rows);
        break;
    case "import-azurite":
        figures = await ImportAzuriteBenchmark.RunAsync(rows);
        break;
    case "training-dedup":
        figures = TrainingDedupBenchmark.Run(rows);
        break;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

var command = "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Data -- " + string.Join(' ', args);
var path = BenchmarkReport.Write("data", args[0], command, figures);
Console.WriteLine(figures.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine("Wrote " + path);
return 0;
