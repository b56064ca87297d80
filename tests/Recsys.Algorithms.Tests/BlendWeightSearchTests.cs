using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Popularity;
using Recsys.Algorithms.Similarity;

namespace Recsys.Algorithms.Tests;

public class BlendWeightSearchTests
{
    /// <summary>Validation users of a random matrix: each user's last two items are the targets, the rest the history.</summary>
    private static (Data.InteractionMatrix Train, int[][] History, float[][] Weights, int[][] Targets) Validation(ulong seed)
    {
        var full = TestMatrices.Random(200, 60, 12, seed);
        var history = new List<int[]>();
        var targets = new List<int[]>();
        var users = new List<int>();
        var items = new List<int>();
        for (var u = 0; u < full.UserCount; u++)
        {
            var row = full.RowItems(u).ToArray();
            var cut = Math.Max(1, row.Length - 2);
            history.Add(row[..cut]);
            targets.Add(row[cut..]);
            users.AddRange(Enumerable.Repeat(u, cut));
            items.AddRange(row[..cut]);
        }

        var train = Data.InteractionMatrix.FromCoordinates(full.UserCount, full.ItemCount, [.. users], [.. items], Enumerable.Repeat(1f, users.Count).ToArray());
        return (train, [.. history], [.. history.Select(_ => Array.Empty<float>())], [.. targets]);
    }

    private static RecommenderModel[] Models(Data.InteractionMatrix train) =>
    [
        new EaseTrainer(new EaseOptions { Lambda = 20 }).Fit(train),
        new ItemKnnTrainer(new ItemKnnOptions { Neighbors = 20 }).Fit(train),
        new PopularityTrainer().Fit(train),
    ];

    [Fact]
    public void Weights_are_reproducible_for_the_same_users_and_sum_to_one()
    {
        var (train, history, weights, targets) = Validation(5);
        var folds = Enumerable.Range(0, history.Length).Select(u => u % 2).ToArray();
        var first = BlendWeightSearch.Fit(Models(train), history, weights, targets, folds);
        var second = BlendWeightSearch.Fit(Models(train), history, weights, targets, folds, new BlendSearchOptions { MaxDegreeOfParallelism = 1 });

        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(first.Objective, second.Objective);
        Assert.Equal(1f, first.Weights.Sum(), 5);
        Assert.All(first.Weights, w => Assert.InRange(w, 0f, 1f));
    }

    [Fact]
    public void The_blend_is_at_least_the_model_it_started_from_on_the_users_it_was_fitted_on()
    {
        var (train, history, weights, targets) = Validation(8);
        var fit = BlendWeightSearch.Fit(Models(train), history, weights, targets);

        Assert.True(fit.Objective >= fit.SingleObjectives[fit.Start] - 1e-12, $"{fit.Objective} < {fit.SingleObjectives[fit.Start]}");
        Assert.Equal(fit.SingleObjectives.Max(), fit.SingleObjectives[fit.Start]); // here the best is clearly so
        Assert.True(fit.SingleObjectives[2] < fit.SingleObjectives[0], "popularity is the weakest model here");

        // The blend the weights describe scores those users as the search said (the pool holds every list it can form).
        var models = Models(train);
        var blend = new BlendModel(models, fit.Weights);
        var total = 0d;
        for (var u = 0; u < history.Length; u++)
        {
            var top = blend.Recommend(history[u], weights[u], 10);
            var dcg = top.Select((s, r) => targets[u].Contains(s.Item) ? 1 / Math.Log(r + 2) : 0).Sum();
            var ideal = Enumerable.Range(0, Math.Min(10, targets[u].Length)).Sum(r => 1 / Math.Log(r + 2));
            total += dcg / ideal;
        }

        Assert.Equal(fit.Objective, total / history.Length, 3);
    }

    [Fact]
    public void The_search_starts_from_the_most_robust_model_and_among_equally_robust_ones_from_the_first_unless_another_is_better_beyond_the_noise()
    {
        // (mean, fold 0, fold 1): the first leads fold 1 by 9 %, the second fold 0 by 9 %; the second is ahead in its
        // worse fold by 0.2 % only, which is no reason to leave the better mean.
        (double, double, double)[] close = [(0.0908, 0.0425, 0.147), (0.0871, 0.0465, 0.1346)];
        Assert.Equal(0, BlendWeightSearch.StartModel(close, 0.02));
        Assert.Equal(1, BlendWeightSearch.StartModel(close, 0));

        // A model that wins one fold by much and loses the other is not the start, whatever its mean.
        (double, double, double)[] brittle = [(0.10, 0.02, 0.18), (0.09, 0.045, 0.135), (0.05, 0.03, 0.07)];
        Assert.Equal(1, BlendWeightSearch.StartModel(brittle, 0.02));

        // Equally robust and ahead on the mean by less than the noise: the first model (the prior) stays the start;
        // ahead beyond the noise, the challenger is.
        (double, double, double)[] level = [(0.0908, 0.0425, 0.1472), (0.0915, 0.0423, 0.149), (0.05, 0.03, 0.07)];
        Assert.Equal(0, BlendWeightSearch.StartModel(level, 0.02, (_, _) => false));
        Assert.Equal(1, BlendWeightSearch.StartModel(level, 0.02, (challenger, incumbent) => challenger == 1 && incumbent == 0));
        Assert.Equal(1, BlendWeightSearch.StartModel(level, 0.02));

        // The prior is the first robust model, not the first in the list.
        (double, double, double)[] fragilePrior = [(0.10, 0.02, 0.18), (0.09, 0.045, 0.135), (0.091, 0.044, 0.137)];
        Assert.Equal(1, BlendWeightSearch.StartModel(fragilePrior, 0.02, (_, _) => false));
        Assert.Equal(2, BlendWeightSearch.StartModel(fragilePrior, 0.02, (challenger, incumbent) => incumbent == 1));
    }

    [Fact]
    public void A_model_that_carries_all_the_signal_takes_all_the_weight()
    {
        // Targets are exactly the most popular unseen items: popularity alone is perfect and nothing else is needed.
        var (train, history, weights, _) = Validation(13);
        var popularity = new PopularityTrainer().Fit(train);
        var targets = history.Select((h, u) => popularity.Recommend(h, weights[u], 2).Select(s => s.Item).ToArray()).ToArray();
        var fit = BlendWeightSearch.Fit(Models(train), history, weights, targets);

        Assert.Equal([0f, 0f, 1f], fit.Weights);
        Assert.Equal(1, fit.Objective, 9);
    }
}
