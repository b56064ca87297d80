using System.Globalization;
using System.Text.Json;
using Recsys.Benchmarks;
using Recsys.Benchmarks.Http;

const string Usage = "usage: dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Http -- put-events [--clients 32] [--seconds 30] [--max-calls 200000]";
if (args.Length == 0 || args[0] != "put-events")
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new PutEventsBenchmarkOptions();
for (var i = 1; i < args.Length; i++)
{
    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    switch (args[i])
    {
        case "--clients":
            options = options with { Clients = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--seconds":
            options = options with { Seconds = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--max-calls":
            options = options with { MaxCalls = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

var figures = await PutEventsBenchmark.RunAsync(options);
var command = "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Http -- " + string.Join(' ', args);
var path = BenchmarkReport.Write("data", "put-events", command, figures);
Console.WriteLine(figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine("Wrote " + path);
return (int?)figures["lostEvents"] == 0 && (int?)figures["failedCalls"] == 0 ? 0 : 1;
