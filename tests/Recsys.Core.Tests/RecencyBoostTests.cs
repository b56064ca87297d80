using Recsys.Algorithms.Data;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Core.Tests;

/// <summary>The boost of a user's latest interactions: its arithmetic, how model=auto chooses it, and how serving applies it.</summary>
public sealed class RecencyBoostTests
{
    private const int Items = 60;

    [Fact]
    public void The_newest_interaction_weighs_one_and_old_ones_tend_to_the_floor()
    {
        var boost = new RecencyBoost(0.7f, 5f);
        Assert.True(boost.IsActive);
        Assert.Equal(1f, boost.Multiplier(0), 6);
        Assert.Equal(0.85f, boost.Multiplier(5), 6);
        Assert.Equal(0.7f + (0.3f * 0.25f), boost.Multiplier(10), 6);
        Assert.Equal(boost.Multiplier(RecencyBoost.MaxRank), boost.Multiplier(10_000)); // ranks are capped
        Assert.False(RecencyBoost.None.IsActive);
        Assert.Equal(1f, RecencyBoost.None.Multiplier(3));

        float[] weights = [2f, 1f, 1f];
        boost.Apply([0, 5, 10], weights);
        Assert.Equal([2f, 0.85f, 0.775f], weights, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Throws<ArgumentException>(() => boost.Apply([0], weights));
    }

    [Fact]
    public void Ranks_count_from_the_newest_and_order_ties_by_the_given_key()
    {
        // Times 10, 30, 20, 30: the two at 30 are ordered by their tie keys (the larger is newer).
        Assert.Equal([3, 0, 2, 1], RecencyBoost.Ranks([10, 30, 20, 30], [1, 5, 2, 3]));

        var many = Enumerable.Range(0, 300).Select(t => (long)t).ToArray();
        var ranks = RecencyBoost.Ranks(many, new ulong[300]);
        Assert.Equal(0, ranks[299]);
        Assert.Equal(RecencyBoost.MaxRank, ranks[0]);
        Assert.Equal(RecencyBoost.MaxRank, ranks[44]);
        Assert.Equal(RecencyBoost.MaxRank - 1, ranks[45]);
    }

    /// <summary>
    /// Each user walks forward along a ring of items, one step per event: their history is an arc and their next items
    /// continue it from its newest end. <paramref name="ordered"/> false gives every event the same time.
    /// </summary>
    private static TrainingDataset Walks(bool ordered)
    {
        var random = new Random(11);
        var builder = new TrainingInteractionsBuilder();
        for (var u = 0; u < 300; u++)
        {
            var start = random.Next(Items);
            var length = 12 + random.Next(8);
            for (var k = 0; k < length; k++)
            {
                builder.Add($"u{u:D3}", $"i{(start + k) % Items:D2}", ordered ? 1_700_000_000 + (k * 60) : 1_700_000_000, "click");
            }
        }

        return TrainingDataset.Build(builder.Build(), null, TrainingFilter.None);
    }

    private static (TrainingOutcome Outcome, SolutionModel Served) Train(TrainingDataset data)
    {
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>());
        var outcome = TrainingPipeline.Run(data, recipe, [defaults], new TrainingSettings());
        return (outcome, SolutionModel.Create(recipe.Name, data, outcome));
    }

    [Fact]
    public void Where_the_next_items_follow_the_latest_auto_boosts_them_and_serving_applies_it()
    {
        var data = Walks(ordered: true);
        var (outcome, served) = Train(data);

        // The choice is reported: no boost first, then each boost tried, exactly one chosen, and it is the one served.
        var report = outcome.Evaluation.HistoryRecency!;
        Assert.Equal(1 + RecencySearch.Candidates.Count, report.Tried.Count);
        Assert.Equal(1, report.Tried[0].Floor);
        Assert.Single(report.Tried, t => t.Chosen);
        Assert.True(report.Floor < 1, "a boost is chosen where the next items follow the latest");
        Assert.Equal(report.Floor, outcome.Recency.Floor, 6);
        Assert.Equal(outcome.Recency, served.Recency);
        var chosen = report.Tried.Single(t => t.Chosen);
        Assert.True(chosen.TemporalFoldObjective > report.Tried[0].TemporalFoldObjective);
        Assert.Equal(report.Tried, Train(data).Outcome.Evaluation.HistoryRecency!.Tried); // reproducible for the seed

        // Users' best item continues their arc from its newest end (not from its oldest), and a real-time event, newer
        // than everything trained on, moves it on.
        int Item(string id) => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture);
        int Newest(int u)
        {
            var row = data.Matrix.RowItems(u).ToArray().Select(i => Item(data.ItemIds[i])).ToHashSet();
            return row.Single(i => !row.Contains((i + 1) % Items));
        }

        int fromNewest = 0, afterEvent = 0;
        for (var u = 0; u < data.UserIds.Count; u++)
        {
            var newest = Newest(u);
            fromNewest += Item(served.Recommend(data.UserIds[u], null, 1)[0].Id) == (newest + 1) % Items ? 1 : 0;
            afterEvent += Item(served.Recommend(data.UserIds[u], [$"i{(newest + 1) % Items:D2}"], 1)[0].Id) == (newest + 2) % Items ? 1 : 0;
        }

        Assert.True(fromNewest > 0.8 * data.UserIds.Count, $"{fromNewest} of {data.UserIds.Count} users");
        Assert.True(afterEvent > 0.8 * data.UserIds.Count, $"{afterEvent} of {data.UserIds.Count} users");
        var user = data.UserIds[0];
        var next = served.Recommend(user, null, 1)[0].Id;

        // An event that training already holds (the newest one, sent again) changes nothing.
        var newestId = $"i{Newest(0):D2}";
        Assert.Equal(served.Recommend(user, null, 10), served.Recommend(user, [newestId], 10));
        Assert.Equal(2, served.ArtifactVersion);

        // The boost and the ranks survive the artifact.
        using var buffer = new MemoryStream();
        served.Write(buffer);
        buffer.Position = 0;
        var loaded = SolutionModel.Read(buffer);
        Assert.Equal(served.Recency, loaded.Recency);
        Assert.Equal(served.Recommend(user, null, 10), loaded.Recommend(user, null, 10));
        Assert.Equal(served.Recommend(user, [next], 10), loaded.Recommend(user, [next], 10));
    }

    [Theory]
    // Temporal fold up beyond its noise, random fold flat: qualifies (the evidence is where order matters).
    [InlineData(0.02, 0.01, 0.0, 0.01, true)]
    // Both folds up a little, neither beyond its own noise (0.0085), together beyond it (0.0060): qualifies.
    [InlineData(0.0075, 0.12, 0.0075, 0.12, true)]
    // All users together up beyond the noise, but only from the random fold: the temporal fold must rise.
    [InlineData(-0.001, 0.12, 0.03, 0.12, false)]
    // Temporal fold up beyond its noise, random fold down beyond its noise and 1 % of its score: does not qualify.
    [InlineData(0.02, 0.01, -0.01, 0.002, false)]
    // Temporal fold up a little, random fold down a little: within the noise everywhere, no boost.
    [InlineData(0.005, 0.12, -0.004, 0.12, false)]
    public void A_boost_qualifies_where_it_raises_the_temporal_fold_beyond_the_noise_there_or_on_all_users_and_costs_the_random_fold_nothing(
        double temporalGain, double temporalSpread, double randomGain, double randomSpread, bool qualifies)
    {
        // 200 users per fold at a base score of 0.3; each user's gain is the fold's mean plus an alternating spread, so
        // a fold's standard error is spread / √199.
        const int PerFold = 200;
        var folds = new int[2 * PerFold];
        var none = new double[folds.Length];
        var trial = new double[folds.Length];
        for (var u = 0; u < folds.Length; u++)
        {
            folds[u] = u < PerFold ? 0 : 1;
            var (gain, spread) = folds[u] == 0 ? (temporalGain, temporalSpread) : (randomGain, randomSpread);
            none[u] = 0.3;
            trial[u] = 0.3 + gain + (u % 2 == 0 ? spread : -spread);
        }

        Assert.Equal(qualifies, RecencySearch.Qualifies(trial, none, folds));
    }

    [Fact]
    public void Where_time_carries_no_order_no_boost_is_tried()
    {
        var (outcome, served) = Train(Walks(ordered: false));
        Assert.Null(outcome.Evaluation.HistoryRecency);
        Assert.False(outcome.Recency.IsActive);
        Assert.Null(outcome.RecencyRanks);
        Assert.False(served.Recency.IsActive);
    }

    [Fact]
    public void Validation_histories_carry_their_recency_ranks()
    {
        var data = Walks(ordered: true);
        var split = EvaluationSplit.Create(data.Matrix, 42, 2_000, 10_000);
        var validation = split.Validation;
        Assert.NotNull(validation.HistoryRanks);
        for (var k = 0; k < validation.Count; k++)
        {
            var user = validation.Users[k];
            var times = new Dictionary<int, long>();
            var row = data.Matrix.RowItems(user);
            for (var p = 0; p < row.Length; p++)
            {
                times[row[p]] = data.Matrix.RowTimestamps(user)[p];
            }

            // Rank r is the r-th newest of the history fed in.
            var expected = validation.History[k].Select(i => times[i]).ToArray();
            var ranks = validation.HistoryRanks![k];
            for (var a = 0; a < ranks.Length; a++)
            {
                Assert.Equal(expected.Count(t => t > expected[a]), ranks[a]);
            }
        }

        // Boosting a sample multiplies its weights and leaves the sample itself as it was.
        var boosted = validation.WithRecency(new RecencyBoost(0.5f, 1f));
        var newest = Array.IndexOf(validation.HistoryRanks![0], (byte)0);
        var oldest = Array.IndexOf(validation.HistoryRanks[0], validation.HistoryRanks[0].Max());
        Assert.Equal(validation.HistoryWeights[0][newest], boosted.HistoryWeights[0][newest]);
        Assert.True(boosted.HistoryWeights[0][oldest] < validation.HistoryWeights[0][oldest]);
        Assert.Same(validation, validation.WithRecency(RecencyBoost.None));

        // The served model's ranks follow the same order over all the data.
        var all = EvaluationSplit.RecencyRanks(data.Matrix, 42);
        var first = data.Matrix.RowTimestamps(0).ToArray();
        var firstRanks = all.AsSpan(data.Matrix.RowOffsets[0], first.Length).ToArray();
        Assert.Equal(first.Select(t => (byte)first.Count(o => o > t)), firstRanks);
    }

    [Fact]
    public void An_artifact_written_before_the_boost_existed_still_loads()
    {
        var data = Walks(ordered: false);
        var (_, served) = Train(data);
        using var buffer = new MemoryStream();
        Assert.Equal(1, served.ArtifactVersion); // a model without a boost is written in the layout earlier releases read
        served.Write(buffer);
        buffer.Position = 0;
        Assert.Equal(1, BitConverter.ToInt32(buffer.GetBuffer(), 8));
        var loaded = SolutionModel.Read(buffer);
        Assert.False(loaded.Recency.IsActive);
        Assert.Equal(served.Recommend("u001", null, 10), loaded.Recommend("u001", null, 10));

        // A boost cannot be written in the old layout.
        var (_, boosted) = Train(Walks(ordered: true));
        Assert.Throws<InvalidOperationException>(() => boosted.Write(new MemoryStream(), formatVersion: 1));
    }
}
