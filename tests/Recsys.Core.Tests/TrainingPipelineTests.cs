using Recsys.Core.Errors;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Core.Tests;

/// <summary>Training without storage: the split, recipes, HPO, validation of hyperparameters, and the model artifact.</summary>
public sealed class TrainingPipelineTests
{
    /// <summary>
    /// Two disjoint communities: users 0..59 use items a0..a9, users 60..119 items b0..b9; each user has 6 of their
    /// community's items at increasing timestamps.
    /// </summary>
    private static TrainingDataset Communities()
    {
        var builder = new TrainingInteractionsBuilder();
        for (var u = 0; u < 120; u++)
        {
            var prefix = u < 60 ? "a" : "b";
            for (var k = 0; k < 6; k++)
            {
                builder.Add($"u{u}", $"{prefix}{(u + (k * 3)) % 10}", 1_700_000_000 + (u * 100) + k, "click");
            }
        }

        return TrainingDataset.Build(builder.Build(), null, TrainingFilter.None);
    }

    [Fact]
    public void The_split_holds_out_ten_percent_of_users_and_their_newest_interactions()
    {
        var data = Communities();
        var split = EvaluationSplit.Create(data.Matrix, 42, maxValidationUsers: 5, maxScoredTestUsers: 1000);

        Assert.Equal(12, split.TestUserCount);
        Assert.Equal(12, split.Test.Count);
        Assert.All(split.Test.Users, u => Assert.Equal(0, split.Fit.RowLength(u)));
        Assert.All(split.Test.History, h => Assert.Equal(5, h.Length)); // floor(0.9 · 6)
        Assert.All(split.Test.Targets, t => Assert.Single(t));
        Assert.Equal(5, split.Validation.Count);
        Assert.All(split.Validation.Users, u => Assert.Equal(5, split.Fit.RowLength(u)));

        // The newest interaction is the target: user u's last item is (u + 15) % 10 of its community.
        for (var k = 0; k < split.Test.Count; k++)
        {
            var user = split.Test.Users[k];
            Assert.Equal($"{(user < 60 ? "a" : "b")}{(user + 15) % 10}", data.ItemIds[split.Test.Targets[k][0]]);
        }
    }

    [Fact]
    public void Validation_users_are_not_limited_to_ten_percent_on_small_data()
    {
        // With only 10 % of users (12 here, 61 on ml-latest-small) the validation nDCG is too noisy to choose a model.
        var data = Communities();
        var split = EvaluationSplit.Create(data.Matrix, 42, maxValidationUsers: 2_000, maxScoredTestUsers: 1000);

        Assert.Equal(12, split.TestUserCount);
        Assert.Equal(108, split.Validation.Count); // every training user with 3+ interactions
        Assert.Empty(split.Validation.Users.Intersect(split.Test.Users));
        Assert.All(split.Validation.Users, u => Assert.Equal(5, split.Fit.RowLength(u)));
        Assert.Equal(108 * 5, split.Fit.NonZeroCount);

        var capped = EvaluationSplit.Create(data.Matrix, 42, maxValidationUsers: 30, maxScoredTestUsers: 1000);
        Assert.Equal(30, capped.Validation.Count);
    }

    [Fact]
    public void Popularity_count_ranks_by_distinct_users_and_metrics_have_personalize_keys()
    {
        var builder = new TrainingInteractionsBuilder();
        for (var u = 0; u < 30; u++)
        {
            builder.Add($"u{u}", "hit", 1_700_000_000 + u);
            builder.Add($"u{u}", "hit", 1_700_000_001 + u); // repeated: counts once
            builder.Add($"u{u}", u % 2 == 0 ? "even" : "odd", 1_700_000_002 + u);
        }

        var data = TrainingDataset.Build(builder.Build(), null, TrainingFilter.None);
        var recipe = RecipeCatalog.Get("aws-popularity-count");
        var outcome = TrainingPipeline.Run(data, recipe, [RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>())], new TrainingSettings());
        var model = SolutionModel.Create(recipe.Name, data, outcome);

        Assert.Equal(["hit", "even", "odd"], model.Recommend("nobody", null, 3).Select(s => s.Id));
        Assert.Equal(30, model.Recommend("nobody", null, 1)[0].Score);
        foreach (var key in new[] { "coverage", "mean_reciprocal_rank_at_25", "normalized_discounted_cumulative_gain_at_5", "normalized_discounted_cumulative_gain_at_10",
            "normalized_discounted_cumulative_gain_at_25", "precision_at_5", "precision_at_10", "precision_at_25", "recall_at_10", "mean_average_precision" })
        {
            Assert.True(outcome.Metrics.ContainsKey(key), key);
        }
    }

    [Fact]
    public void Hpo_picks_the_better_of_two_configurations()
    {
        // With one neighbour item-kNN keeps only the item itself, so every unseen item scores 0; with 20 it finds the community.
        var data = Communities();
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var errors = new Dictionary<string, string[]>();
        var fixedValues = RecipeCatalog.Resolve(recipe, new Dictionary<string, string> { ["model"] = "item-knn" }, "h", errors);
        var hpo = new HpoConfig(null, new HpoResourceConfig("4"), new HyperParameterRanges(null, null, [new CategoricalHyperParameterRange("knn_neighbors", ["1", "20"])]));
        HpoSearch.Validate(recipe, hpo, errors);
        Assert.Empty(errors);

        var configurations = HpoSearch.Configurations(fixedValues, hpo, 42);
        var outcome = TrainingPipeline.Run(data, recipe, configurations, new TrainingSettings());

        Assert.Equal(2, configurations.Count);
        Assert.Equal("20", outcome.Hyperparameters.GetString("knn_neighbors"));
        Assert.Equal(2, outcome.Evaluation.Candidates!.Count);
        Assert.True(outcome.Evaluation.Candidates[1].Objective > outcome.Evaluation.Candidates[0].Objective);
        Assert.True(outcome.Metrics["precision_at_5"] > 0.15, outcome.Metrics["precision_at_5"].ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_users_history_is_the_training_row_merged_with_the_recent_items_the_model_knows()
    {
        var data = Communities();
        var recipe = RecipeCatalog.Get("aws-popularity-count");
        var outcome = TrainingPipeline.Run(data, recipe, [RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>())], new TrainingSettings());
        var model = SolutionModel.Create(recipe.Name, data, outcome);
        var scores = new float[model.ItemCount];
        var itemIds = data.ItemIds.ToList();
        int Index(string id) => itemIds.IndexOf(id);
        int[] Expected(params string[] ids) => [.. ids.Select(Index).Order()];

        // u1's row is a1, a4, a7, a0, a3, a6; recent items repeat one of them, add two and name one the model never saw.
        Assert.Equal(Expected("a0", "a1", "a3", "a4", "a6", "a7"), model.ScoreAll("u1", null, scores));
        Assert.Equal(Expected("a0", "a1", "a3", "a4", "a6", "a7", "a9", "b2"), model.ScoreAll("u1", ["b2", "a4", "zzz", "a9", "b2"], scores));
        Assert.Equal(Expected("b1", "b2"), model.ScoreAll("new-user", ["b2", "b1"], scores));
        Assert.Empty(model.ScoreAll("new-user", ["zzz"], scores));
        Assert.Empty(model.ScoreAll(null, null, scores));
    }

    [Fact]
    public void Auto_user_personalization_recommends_within_the_community_and_real_time_events_change_it()
    {
        var data = Communities();
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var outcome = TrainingPipeline.Run(data, recipe, [RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>())], new TrainingSettings());
        var model = SolutionModel.Create(recipe.Name, data, outcome);

        Assert.True(outcome.Evaluation.Candidates!.Count >= 4); // EASE ×2, item-kNN, RP3beta, ALS
        Assert.All(model.Recommend("u1", null, 2), s => Assert.StartsWith("a", s.Id, StringComparison.Ordinal));
        Assert.All(model.Recommend("new-user", ["b1", "b2", "b3"], 2), s => Assert.StartsWith("b", s.Id, StringComparison.Ordinal));
        Assert.StartsWith("a", model.RelatedItems("a3", 1)[0].Id, StringComparison.Ordinal);

        // Round trip through the artifact format gives the same recommendations.
        using var buffer = new MemoryStream();
        model.Write(buffer);
        buffer.Position = 0;
        var loaded = SolutionModel.Read(buffer);
        Assert.Equal(model.Recommend("u70", null, 5), loaded.Recommend("u70", null, 5));
        Assert.Equal(model.Rank("u1", ["b1", "a9", "zzz"]), loaded.Rank("u1", ["b1", "a9", "zzz"]));
        Assert.Null(loaded.Rank("u1", ["b1", "a9", "zzz"])[^1].Score);
    }

    [Fact]
    public void Similar_items_gives_cold_items_neighbours_from_metadata()
    {
        var builder = new TrainingInteractionsBuilder();
        for (var u = 0; u < 40; u++)
        {
            builder.Add($"u{u}", $"i{u % 4}", 1_700_000_000 + u);
            builder.Add($"u{u}", $"i{(u + 1) % 4}", 1_700_000_100 + u);
        }

        var metadata = new ItemMetadata(["i0", "i1", "i2", "i3", "cold"], [["GENRE=x"], ["GENRE=y"], ["GENRE=y"], ["GENRE=z"], ["GENRE=x"]]);
        var data = TrainingDataset.Build(builder.Build(), metadata, TrainingFilter.None);
        var recipe = RecipeCatalog.Get(RecipeCatalog.SimilarItems);
        var outcome = TrainingPipeline.Run(data, recipe, [RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>())], new TrainingSettings());
        var model = SolutionModel.Create(recipe.Name, data, outcome);

        Assert.Equal("i0", model.RelatedItems("cold", 1)[0].Id);
        Assert.Equal("cold", model.RelatedItems("i0", 5).Select(s => s.Id).First(id => id is "cold" or "i2"));
    }

    [Fact]
    public void Bad_hyperparameters_and_unknown_recipes_are_named()
    {
        var recipe = RecipeCatalog.Get("arn:aws:personalize:::recipe/aws-sims");
        var errors = new Dictionary<string, string[]>();
        RecipeCatalog.Resolve(recipe, new Dictionary<string, string> { ["min_cointeraction_count"] = "11", ["hidden_dimension"] = "10" }, "solutionConfig.algorithmHyperParameters", errors);

        Assert.Contains("between 0 and 10", errors["solutionConfig.algorithmHyperParameters.min_cointeraction_count"][0], StringComparison.Ordinal);
        Assert.Contains("not a hyperparameter of sims", errors["solutionConfig.algorithmHyperParameters.hidden_dimension"][0], StringComparison.Ordinal);
        Assert.Throws<ResourceNotFoundException>(() => RecipeCatalog.Get("aws-hrnn"));
    }

    [Fact]
    public void Event_filters_and_weights_select_interactions()
    {
        var builder = new TrainingInteractionsBuilder();
        builder.Add("u1", "i1", 1, "click", 1f);
        builder.Add("u1", "i2", 2, "purchase", 5f);
        builder.Add("u2", "i2", 3, "purchase", 2f);
        var interactions = builder.Build();

        Assert.Equal(2, TrainingDataset.Build(interactions, null, new TrainingFilter("purchase", null, [])).InteractionCount);
        Assert.Equal(1, TrainingDataset.Build(interactions, null, new TrainingFilter(null, 3, [])).InteractionCount);
        var weighted = TrainingDataset.Build(interactions, null, new TrainingFilter(null, null, [new EventParameters("click", null, 0.25), new EventParameters("purchase", 2.5, 1)]));
        Assert.Equal(2, weighted.InteractionCount);
        Assert.Equal(0.25f, weighted.Matrix.RowWeights(0)[0]);
        Assert.Contains("at least 1000", SolutionService.InsufficientData(weighted), StringComparison.Ordinal);
    }
}
