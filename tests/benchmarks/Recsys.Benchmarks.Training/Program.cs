using System.Globalization;
using Recsys.Benchmarks;

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- splits [--algo NAME] [--split NAME] [--threads N] [--cg-steps N]
//   (--algo matches by substring, e.g. "als_" = als_default + als_reference_tuned_settings; a filtered run replaces its rows in
//    results/training-splits.json and keeps the others, when that file was measured with the same --threads;
//    --cg-steps sets the ALS rows' conjugate-gradient steps, default 3 as implicit, and shows in their params)
// [DOTNET_GCHeapHardLimit=0xC0000000] dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- scale [--users N] [--items N] [--interactions N]
// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- ease-solve [--sizes 8757,20000] [--threads 1,2] [--repeat 1] [--fits yes|no]
//   (the dense EASE solve against numpy+OpenBLAS on the same matrices, then the solver cross-over and a 20k-item fit;
//    writes results/training-ease-solve.json)
if (args.Length > 0 && args[0] is "ease-solve" or "ease-solve-worker" or "ease-fit-worker")
{
    var options = new Dictionary<string, string> { ["--sizes"] = "8757,20000", ["--threads"] = "1,2", ["--items"] = "20000", ["--fits"] = "yes", ["--repeat"] = "1" };
    for (var i = 1; i < args.Length - 1; i += 2)
    {
        options[args[i]] = args[i + 1];
    }

    int[] List(string key) => [.. options[key].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
    return args[0] switch
    {
        "ease-solve-worker" => EaseSolveBenchmark.Solve(options["--matrix"], List("--n")[0], List("--threads")[0], options.GetValueOrDefault("--out")),
        "ease-fit-worker" => EaseSolveBenchmark.Fit(List("--items")[0], List("--threads")[0]),
        _ => EaseSolveBenchmark.Run(List("--sizes"), List("--threads"), List("--repeat")[0], options["--fits"] != "no",
            "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args)),
    };
}

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

    // A heap limit (as a container's memory limit sets one) is part of the command that reproduces the run.
    var heapLimit = Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is { } limit ? "DOTNET_GCHeapHardLimit=" + limit + " " : string.Empty;
    return ScaleBenchmark.Run((int)options["--users"], (int)options["--items"], options["--interactions"],
        heapLimit + "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args));
}

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- lambda-probe [CASE] [25,50,100,...]
//   (EASE per λ on a quality case: the default pipeline's validation score per fold, its held-out users, and the case's
//    test split; then the blend of the best λ with the other candidates at 0, 1 and 2 standard errors; prints only)
if (args.Length > 0 && args[0] == "lambda-probe")
{
    return LambdaProbe.Run(args.Length > 1 ? args[1] : null, [.. (args.Length > 2 ? args[2] : "25,50,100,200,400,800,1600").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))]);
}

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- head-probe CASE 1,0.5 100,200,400
//   (EASE's validation score per λ on fractions of the default's head, with the head, search head and fit times; prints only)
// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- default-probe CASE
//   (the default alone against the best baseline stored in results/training-quality.json; prints only)
if (args.Length > 0 && args[0] == "head-probe")
{
    double[] Doubles(string v) => [.. v.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture))];
    return HeadProbe.Run(args[1], Doubles(args[2]), Doubles(args[3]));
}

if (args.Length > 1 && args[0] == "default-probe")
{
    return HeadProbe.RunDefault(args[1]);
}

if (args.Length > 0 && args[0] == "recency-probe")
{
    return VariantProbe.RunRecency(args.Length > 1 ? args[1] : null);
}

if (args.Length > 0 && args[0] == "ensemble-probe")
{
    return VariantProbe.RunEnsemble(args.Length > 1 ? args[1] : null);
}

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- stack-probe [CASE]
//   (a LightGBM LambdaRank stack over the candidates' standardized scores, fitted on validation, vs EASE; prints only)
if (args.Length > 0 && args[0] == "stack-probe")
{
    return StackProbe.Run(args.Length > 1 ? args[1] : null);
}

// dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- als-probe [CASE]
//   (ALS alone at four factor, confidence and regularization settings on the matching quality cases' test splits; prints only)
if (args.Length > 0 && args[0] == "als-probe")
{
    return AlsProbe.Run(args.Length > 1 ? args[1] : null);
}

if (args.Length > 0 && args[0] == "variant-probe")
{
    return VariantProbe.Run(args.Length > 1 ? args[1] : null);
}

if (args.Length > 0 && args[0] == "quality")
{
    string? caseFilter = args.Length > 2 && args[1] == "--case" ? args[2] : null;
    return QualityBenchmark.Run(caseFilter, "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.Training -- " + string.Join(' ', args));
}

if (args.Length == 0 || args[0] != "splits")
{
    Console.Error.WriteLine("usage: splits [--algo NAME] [--split NAME] [--threads N] [--cg-steps N]   (threads default 1, as in the reference runs; ALS CG steps default 3)");
    Console.Error.WriteLine("       ease-solve [--sizes N,N] [--threads T,T] [--repeat N] [--fits yes|no]   (dense EASE solve vs numpy+OpenBLAS; writes results/training-ease-solve.json)");
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
