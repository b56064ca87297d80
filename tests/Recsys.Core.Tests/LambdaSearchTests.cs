using Recsys.Core.Solutions;

namespace Recsys.Core.Tests;

public sealed class LambdaSearchTests
{
    /// <summary>A score that peaks at <paramref name="peak"/> in log λ, as validation nDCG does.</summary>
    private static Func<double, double> PeakAt(double peak, List<double> calls) => lambda =>
    {
        calls.Add(lambda);
        var distance = Math.Log2(lambda / peak);
        return 1 - (distance * distance);
    };

    [Theory]
    [InlineData(100, 1600)]
    [InlineData(100, 8)]
    [InlineData(100, 141)]
    [InlineData(5, 5000)]
    public void Finds_a_peak_far_from_the_start_to_within_a_half_step(double start, double peak)
    {
        var calls = new List<double>();
        var tried = LambdaSearch.Run(start, 20, 1, 100_000, PeakAt(peak, calls));

        var best = LambdaSearch.Best(tried).Lambda;
        Assert.InRange(Math.Abs(Math.Log2(best / peak)), 0, 0.5);
        Assert.Equal(calls.Count, calls.Distinct().Count()); // no value scored twice
        Assert.Equal(calls, tried.Select(t => t.Lambda));
    }

    [Fact]
    public void Scores_at_most_the_budget_and_stays_within_the_bounds()
    {
        var calls = new List<double>();
        var tried = LambdaSearch.Run(100, 3, 1, 100_000, PeakAt(50_000, calls));
        Assert.Equal([100, 200, 50], tried.Select(t => t.Lambda));

        calls.Clear();
        tried = LambdaSearch.Run(100, 50, 10, 1_000, PeakAt(50_000, calls));
        Assert.All(tried, t => Assert.InRange(t.Lambda, 10, 1_000));
        Assert.Equal(800, LambdaSearch.Best(tried).Lambda);

        Assert.Equal([100.0], LambdaSearch.Run(100, 1, 1, 100_000, PeakAt(1, calls)).Select(t => t.Lambda));
    }

    [Fact]
    public void Edge_scores_only_extend_the_search_while_its_best_is_at_the_edge()
    {
        var calls = new List<double>();

        // A peak beyond the budget's reach: the extra scores keep doubling.
        Assert.Equal(3200, LambdaSearch.Best(LambdaSearch.Run(100, 7, 1, 100_000, PeakAt(50_000, calls))).Lambda);
        var tried = LambdaSearch.Run(100, 7, 1, 100_000, PeakAt(50_000, calls), edgeScores: 3);
        Assert.Equal([100, 200, 50, 400, 800, 1600, 3200, 6400, 12800, 25600], tried.Select(t => t.Lambda));

        // Past the budget, the search stops as soon as the best is inside the values tried: no half step.
        tried = LambdaSearch.Run(100, 7, 1, 100_000, PeakAt(4500, calls), edgeScores: 3);
        Assert.Equal([100, 200, 50, 400, 800, 1600, 3200, 6400], tried.Select(t => t.Lambda));
        Assert.Equal(3200, LambdaSearch.Best(tried).Lambda);

        // A peak within reach: the extra scores are not used.
        Assert.Equal(
            LambdaSearch.Run(100, 7, 1, 100_000, PeakAt(141, calls)).Select(t => t.Lambda),
            LambdaSearch.Run(100, 7, 1, 100_000, PeakAt(141, calls), edgeScores: 3).Select(t => t.Lambda));
    }

    [Fact]
    public void Ties_keep_the_value_tried_first_and_values_are_rounded_to_three_digits()
    {
        var tried = LambdaSearch.Run(100, 7, 1, 100_000, _ => 0.5);
        Assert.Equal(100, LambdaSearch.Best(tried).Lambda);
        Assert.Equal([100, 200, 50, 141], tried.Select(t => t.Lambda));
    }
}
