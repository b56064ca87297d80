using System.Globalization;
using Recsys.Benchmarks;

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- splits [--algo NAME] [--split NAME] [--threads N] [--cg-steps N]
//   (--algo matches by substring, e.g. "als_" = als_default + als_reference_tuned_settings; a filtered run replaces its rows in
//    results/training-splits.json and keeps the others, when that file was measured with the same --threads;
//    --cg-steps sets the ALS rows' conjugate-gradient steps, default 3 as implicit, and shows in their params)
// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- scale [--users N] [--items N] [--interactions N]
// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- quality [--case NAME]
//   (the default against peer-style baselines over dataset shapes and protocols; writes results/training-quality.json,
//    or training-quality-partial.json for one --case, matched by substring)
if (args.Length > 0 && args[0] == "scale")
{
    var options = new Dictionary<string, long> { ["--users"] = 200_000, ["--items"] = 50_000, ["--interactions"] = 20_000_000 };
    for (var i = 1; i < args.Length - 1; i += 2)
    {
        if (!options.ContainsKey(args[i]))
        {
            Console.Error.WriteLine("unknown option " + args[i]);
            return 2;
        }

        options[args[i]] = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }

    return ScaleBenchmark.Run((int)options["--users"], (int)options["--items"], options["--interactions"],
        "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args));
}

if (args.Length > 0 && args[0] == "quality")
{
    string? caseFilter = args.Length > 2 && args[1] == "--case" ? args[2] : null;
    return QualityBenchmark.Run(caseFilter, "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args));
}

if (args.Length == 0 || args[0] != "splits")
{
    Console.Error.WriteLine("usage: splits [--algo NAME] [--split NAME] [--threads N] [--cg-steps N]   (threads default 1, as in the reference runs; ALS CG steps default 3)");
    Console.Error.WriteLine("       scale [--users N] [--items N] [--interactions N]   (user-personalization with defaults; writes results/training-scale.json)");
    Console.Error.WriteLine("       quality [--case NAME]   (default vs baselines over dataset shapes and protocols; writes results/training-quality.json)");
    return 2;
}

string? algo = null;
string? split = null;
var threads = 1;
var cgSteps = 3;
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
        case "--cg-steps":
            cgSteps = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("unknown option " + args[i]);
            return 2;
    }
}

var command = "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args);
return SplitsBenchmark.Run(algo, split, threads, cgSteps, command);
