using System.Globalization;
using Recsys.Algorithms.Evaluation;
using Recsys.Benchmarks;

namespace Recsys.Algorithms.Tests;

public class EvaluatorTests
{
    [Fact]
    public void Hand_computed_metrics_for_two_users()
    {
        // User A: relevant {1, 2, 3}; list [1, 9, 2] → hits at ranks 1 and 3.
        // User B: relevant {7}; list [8, 7, 6] → hit at rank 2.
        int[][] lists = [[1, 9, 2], [8, 7, 6]];
        int[][] relevant = [[1, 2, 3], [7]];
        var metrics = RankingEvaluator.Evaluate(lists, relevant, catalogSize: 10, new RankingEvaluationOptions { Ks = [1, 3], MapCutoff = 3, MrrCutoff = 3, CoverageCutoff = 3 });

        Assert.Equal(2, metrics.UserCount);
        Assert.Equal((1.0 + 0.0) / 2, metrics.PrecisionAt(1), 12);
        Assert.Equal(((2.0 / 3) + (1.0 / 3)) / 2, metrics.PrecisionAt(3), 12);
        Assert.Equal(((2.0 / 3) + 1.0) / 2, metrics.RecallAt(3), 12);

        var dcgA = (1 / Math.Log(2)) + (1 / Math.Log(4));
        var idcgA = (1 / Math.Log(2)) + (1 / Math.Log(3)) + (1 / Math.Log(4));
        var ndcgB = (1 / Math.Log(3)) / (1 / Math.Log(2));
        Assert.Equal(((dcgA / idcgA) + ndcgB) / 2, metrics.NdcgAt(3), 12);

        // AP sums: A = 1/1 + 2/3, B = 1/2. map divides by |R|, map_at_k by min(|R|, k).
        Assert.Equal((((1 + (2.0 / 3)) / 3) + 0.5) / 2, metrics.Map, 12);
        Assert.Equal((((1 + (2.0 / 3)) / 3) + 0.5) / 2, metrics.MapAtK, 12);
        Assert.Equal((1.0 + 0.5) / 2, metrics.MeanReciprocalRank, 12);
        Assert.Equal(6.0 / 10, metrics.Coverage, 12);
    }

    [Fact]
    public void Map_divides_by_all_relevant_items_and_map_at_k_by_the_cutoff()
    {
        int[][] lists = [[1, 2]];
        int[][] relevant = [[1, 2, 3, 4]];
        var metrics = RankingEvaluator.Evaluate(lists, relevant, options: new RankingEvaluationOptions { Ks = [2], MapCutoff = 2 });

        Assert.Equal(2.0 / 4, metrics.Map, 12);
        Assert.Equal(2.0 / 2, metrics.MapAtK, 12);
        Assert.Equal(1.0, metrics.NdcgAt(2), 12);
        Assert.True(double.IsNaN(metrics.Coverage));
    }

    [Fact]
    public void Users_without_a_hit_count_as_zero_and_users_without_relevant_items_are_skipped()
    {
        int[][] lists = [[5, 6], [1, 2], [1]];
        int[][] relevant = [[1], [1], []];
        var metrics = RankingEvaluator.Evaluate(lists, relevant, options: new RankingEvaluationOptions { Ks = [2] });

        Assert.Equal(2, metrics.UserCount);
        Assert.Equal(0.5, metrics.MeanReciprocalRank, 12);
        Assert.Equal(0.5, metrics.NdcgAt(2), 12);
        Assert.Equal(0.25, metrics.PrecisionAt(2), 12);
    }

    [Theory]
    [InlineData("stratified_user_seed42.ease.top10.csv", "EASE_tuned")]
    [InlineData("stratified_user_seed42.sar.top10.csv", "SAR_timedecay")]
    public void Reference_top10_lists_reproduce_the_reference_metrics(string listFile, string algorithm)
    {
        var folder = SplitData.SplitsFolder();
        var test = SplitData.ReadRatings(Path.Combine(folder, "stratified_user_seed42", "test.csv"));
        var relevant = test.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.Select(r => r.ItemId).ToHashSet());
        var lists = File.ReadLines(Path.Combine(folder, listFile)).Skip(1)
            .Select(line => line.Split(','))
            .Select(p => (User: int.Parse(p[0], CultureInfo.InvariantCulture), Item: int.Parse(p[1], CultureInfo.InvariantCulture), Rank: int.Parse(p[2], CultureInfo.InvariantCulture)))
            .GroupBy(r => r.User)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Rank).Select(r => r.Item).ToArray());
        var users = relevant.Keys.Order().ToArray();
        Assert.Equal(610, users.Length);

        var metrics = RankingEvaluator.Evaluate(
            [.. users.Select(u => (IReadOnlyList<int>)lists[u])],
            [.. users.Select(u => (IReadOnlyCollection<int>)relevant[u])]);

        var reference = ReferenceRow("stratified_user_seed42", algorithm);
        Assert.Equal(reference["MAP"], metrics.Map, 1e-6);
        Assert.Equal(reference["MAPat10"], metrics.MapAtK, 1e-6);
        Assert.Equal(reference["nDCG10"], metrics.NdcgAt(10), 1e-6);
        Assert.Equal(reference["P10"], metrics.PrecisionAt(10), 1e-6);
        Assert.Equal(reference["R10"], metrics.RecallAt(10), 1e-6);
    }

    internal static Dictionary<string, double> ReferenceRow(string split, string algorithm)
    {
        var lines = File.ReadAllLines(Path.Combine(SplitData.SplitsFolder(), "reference_metrics.tsv"));
        var header = lines[0].Split('\t');
        var row = lines.Skip(1).Select(l => l.Split('\t')).Single(p => p[0] == split && p[1] == algorithm);
        var result = new Dictionary<string, double>();
        for (var c = 3; c < header.Length; c++)
        {
            if (row[c].Length > 0)
            {
                result[header[c]] = double.Parse(row[c], CultureInfo.InvariantCulture);
            }
        }

        return result;
    }
}
