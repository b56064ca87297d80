using System.Globalization;
using Recsys.Algorithms.Linear;
using Recsys.Benchmarks;

namespace Recsys.Algorithms.Tests;

public class ReferenceParityTests
{
    [Fact]
    public void Ease_lambda100_reproduces_the_reference_top10_lists_on_the_stratified_split()
    {
        var data = SplitData.Load("stratified_user_seed42");
        var model = new EaseTrainer(new EaseOptions { Lambda = 100 }).Fit(data.Binary);
        var reference = File.ReadLines(Path.Combine(SplitData.SplitsFolder(), "stratified_user_seed42.ease.top10.csv")).Skip(1)
            .Select(line => line.Split(','))
            .GroupBy(p => int.Parse(p[0], CultureInfo.InvariantCulture))
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(p => int.Parse(p[2], CultureInfo.InvariantCulture))
                    .Select(p => (Item: int.Parse(p[1], CultureInfo.InvariantCulture), Score: double.Parse(p[3], CultureInfo.InvariantCulture)))
                    .ToArray());

        var mismatchedUsers = 0;
        foreach (var userId in data.TestUserIds)
        {
            var u = data.UserIndex[userId];
            var ours = model.Recommend(data.Binary.RowItems(u), default, 10);
            var expected = reference[userId];
            for (var r = 0; r < 10; r++)
            {
                Assert.Equal(expected[r].Score, ours[r].Score, 1e-4);
            }

            if (!ours.Select(s => data.ItemIds[s.Item]).SequenceEqual(expected.Select(e => e.Item)))
            {
                mismatchedUsers++;
            }
        }

        // The reference lists have no tied scores (PROTOCOL.md §4), so the order must match exactly.
        Assert.True(mismatchedUsers == 0, $"{mismatchedUsers} users differ from the reference lists");
    }
}
