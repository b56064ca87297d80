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
            foreach (var (alpha, reg) in new[] { (1f, 0.05f), (10f, 5f), (10f, 20f), (10f, 50f), (40f, 200f) })
            {
                var als = new AlsTrainer(new AlsOptions { Factors = 64, Alpha = alpha, Regularization = reg, Iterations = 15 }).Fit(d.Binary);
                var alone = SplitsBenchmark.Evaluate(d, SplitsBenchmark.History(d, als).Recommend)["nDCG10"];
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  a{0} r{1}: alone {2:F4}", alpha, reg, alone));
            }
        }

        return 0;
    }
}
