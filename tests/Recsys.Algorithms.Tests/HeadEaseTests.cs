using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Linear;

namespace Recsys.Algorithms.Tests;

public class HeadEaseTests
{
    [Theory]
    [InlineData(30, 80)]
    [InlineData(120, 40)]
    public void A_head_as_large_as_the_catalogue_is_exact_ease(int users, int items)
    {
        var m = TestMatrices.Random(users, items, 8, 11);
        var options = new EaseOptions { Lambda = 5 };
        var exact = new EaseTrainer(options).Fit(m);
        var head = new HeadEaseTrainer(options, items).Fit(m);

        var expected = new float[items];
        var actual = new float[items];
        for (var u = 0; u < users; u++)
        {
            exact.Score(m.RowItems(u), m.RowWeights(u), expected);
            head.Score(m.RowItems(u), m.RowWeights(u), actual);
            var used = m.ItemUserCounts();
            for (var i = 0; i < items; i++)
            {
                // Items nobody used are outside the head and score 0; exact EASE scores them 0 as well (their B rows and columns are 0).
                Assert.Equal(used[i] > 0 ? expected[i] : 0f, actual[i]);
            }
        }
    }

    [Fact]
    public void A_smaller_head_is_exact_ease_on_the_head_items_and_scores_the_tail_zero()
    {
        var m = TestMatrices.Random(60, 50, 10, 3);
        var options = new EaseOptions { Lambda = 5 };
        var head = HeadEaseTrainer.SelectHead(m, 20);
        var model = new HeadEaseTrainer(options, 20).Fit(m);
        var onHead = new EaseTrainer(options).Fit(m.SelectColumns(head));

        var counts = m.ItemUserCounts();
        Assert.InRange(head.Length, 1, 20);
        Assert.True(head.Min(i => counts[i]) > Enumerable.Range(0, 50).Where(i => !head.Contains(i)).Max(i => counts[i]), "the head is the most used items, ties all in or all out");

        var scores = new float[50];
        var headScores = new float[head.Length];
        for (var u = 0; u < 60; u++)
        {
            model.Score(m.RowItems(u), m.RowWeights(u), scores);
            var history = m.RowItems(u).ToArray().Where(head.Contains).Select(i => Array.IndexOf(head, i)).ToArray();
            onHead.Score(history, [], headScores);
            for (var i = 0; i < 50; i++)
            {
                var k = Array.IndexOf(head, i);
                Assert.Equal(k >= 0 ? headScores[k] : 0f, scores[i]);
            }
        }
    }

    [Fact]
    public void Item_subset_models_round_trip_through_the_artifact()
    {
        var m = TestMatrices.Random(40, 30, 6, 9);
        var model = new HeadEaseTrainer(new EaseOptions { Lambda = 2 }, 12).Fit(m);
        using var buffer = new MemoryStream();
        new BlendModel([model, new Popularity.PopularityTrainer().Fit(m)], [0.7f, 0.3f]).Save(buffer);
        buffer.Position = 0;
        var loaded = (BlendModel)RecommenderModel.Load(buffer);

        var subset = Assert.IsType<ItemSubsetModel>(loaded.Models[0]);
        Assert.Equal(model.Items, subset.Items);
        Assert.Equal(model.Recommend(m.RowItems(3), m.RowWeights(3), 10), subset.Recommend(m.RowItems(3), m.RowWeights(3), 10));
    }

    [Fact]
    public void Select_columns_keeps_rows_and_renumbers_columns()
    {
        var m = TestMatrices.Tiny(); // u0: 0 1 ; u1: 0 1 2 ; u2: 1 2 ; u3: 3
        var sub = m.SelectColumns([1, 3]);

        Assert.Equal(4, sub.UserCount);
        Assert.Equal(2, sub.ItemCount);
        Assert.Equal([0], sub.RowItems(0).ToArray());
        Assert.Equal([0], sub.RowItems(1).ToArray());
        Assert.Equal([0], sub.RowItems(2).ToArray());
        Assert.Equal([1], sub.RowItems(3).ToArray());
        Assert.Throws<ArgumentException>(() => m.SelectColumns([2, 1]));
    }
}
