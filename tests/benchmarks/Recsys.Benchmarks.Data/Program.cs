using System.Globalization;
using System.Text.Json.Nodes;
using Recsys.Benchmarks;
using Recsys.Benchmarks.Data;

if (args.Length == 0 || args[0] != "import-parse")
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Data -- import-parse [--rows 10000000]");
    return 2;
}

var rows = 10_000_000L;
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--rows" && i + 1 < args.Length)
    {
        rows = long.Parse(args[++i], CultureInfo.InvariantCulture);
    }
}

var figures = await ImportParseBenchmark.RunAsync(rows);
var command = "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Data -- " + string.Join(' ', args);
var path = BenchmarkReport.Write("data", "import-parse", command, figures);
Console.WriteLine(figures.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine("Wrote " + path);
return 0;
