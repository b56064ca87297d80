using Recsys.Algorithms.Data;
using Recsys.Algorithms.Popularity;

namespace Recsys.Algorithms.Tests;

public class PopularityTests
{
    [Fact]
    public void Popularity_counts_interactions_and_excludes_seen_items()
    {
        var model = new PopularityTrainer().Fit(TestMatrices.Tiny());

        Assert.Equal([2f, 3f, 2f, 1f], model.ItemScores.ToArray());

        // u0 has seen 0 and 1.
        var top = model.Recommend([0, 1], default, 5);
        Assert.Equal([2, 3], top.Select(s => s.Item).ToArray());
        var all = model.Recommend([], default, 5);
        Assert.Equal([1, 0, 2, 3], all.Select(s => s.Item).ToArray());
    }

    [Fact]
    public void Trending_ranks_the_fastest_rising_item_first()
    {
        // Item 0: 4 events long ago, 1 recent (falling). Item 1: 0 → 3 (rising). Item 2: 2 → 2 (flat).
        var users = new List<int>();
        var items = new List<int>();
        var times = new List<long>();
        void Add(int user, int item, long t)
        {
            users.Add(user);
            items.Add(item);
            times.Add(t);
        }

        for (var u = 0; u < 4; u++)
        {
            Add(u, 0, 105);
        }

        Add(4, 0, 195);
        for (var u = 0; u < 3; u++)
        {
            Add(u, 1, 160 + u);
        }

        Add(0, 2, 110);
        Add(1, 2, 120);
        Add(2, 2, 160);
        Add(3, 2, 170);
        var m = InteractionMatrix.FromCoordinates(5, 3, [.. users], [.. items], Enumerable.Repeat(1f, users.Count).ToArray(), [.. times]);

        var model = new TrendingTrainer(new TrendingOptions { Window = 50, Now = 200, Smoothing = 1 }).Fit(m);

        Assert.Equal(3f, model.ItemScores[1]);
        Assert.Equal(0f, model.ItemScores[2]);
        Assert.Equal((1f - 4f) / 5f, model.ItemScores[0]);
        Assert.Equal([1, 2, 0], model.Recommend([], default, 3).Select(s => s.Item).ToArray());
    }

    [Fact]
    public void Trending_requires_timestamps()
    {
        Assert.Throws<ArgumentException>(() => new TrendingTrainer().Fit(TestMatrices.Tiny()));
    }
}
