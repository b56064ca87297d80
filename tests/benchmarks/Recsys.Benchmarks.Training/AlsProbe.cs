using System.Globalization;
using Recsys.Algorithms.Factorization;

namespace Recsys.Benchmarks;

internal static class AlsProbe
{
    public static int Run(string? caseFilter)
    {
        foreach (var c in QualityBenchmark.ProbeCases(caseFilter))
        {
            var d = c.Load();
            Console.WriteLine($"== {c.Name}");
            foreach (var (factors, alpha, reg) in new[] { (64, 5f, 25f), (128, 5f, 25f), (128, 10f, 50f), (256, 5f, 25f) })
            {
                var als = new AlsTrainer(new AlsOptions { Factors = factors, Alpha = alpha, Regularization = reg, Iterations = 15 }).Fit(d.Binary);
                var alone = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, als).Recommend)["nDCG10"];
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  k{3} a{0} r{1}: alone {2:F4}", alpha, reg, alone, factors));
            }
        }

        return 0;
    }
}
