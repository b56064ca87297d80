using System.Globalization;
using Recsys.Benchmarks;

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- splits [--algo NAME] [--split NAME] [--threads N]
if (args.Length == 0 || args[0] != "splits")
{
    Console.Error.WriteLine("usage: splits [--algo NAME] [--split NAME] [--threads N]   (threads default 1, as in the reference runs)");
    return 2;
}

string? algo = null;
string? split = null;
var threads = 1;
for (var i = 1; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--algo":
            algo = args[i + 1];
            break;
        case "--split":
            split = args[i + 1];
            break;
        case "--threads":
            threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("unknown option " + args[i]);
            return 2;
    }
}

var command = "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args);
return SplitsBenchmark.Run(algo, split, threads, command);
