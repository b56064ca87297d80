using System.Globalization;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Factorization;
using Recsys.Core.Recipes;
using Recsys.Core.Solutions;
using Recsys.Data.Training;

namespace Recsys.Core.Tests;

/// <summary>The default model choice: ties in time, data whose time carries no order, the blend and what it reports.</summary>
public sealed class ModelSelectionTests
{
    private const int Users = 160;
    private const int Items = 40;

    /// <summary>
    /// Four communities of 10 items; each user has 8–11 items, mostly (7 in 8) from their community, popular ones more
    /// often. Every event has the same timestamp. Item ids are <paramref name="name"/>(item); rows are in user order and,
    /// within a user, in the order of the item ids (as an export sorted by id would be).
    /// </summary>
    private static TrainingDataset Shared(Func<int, string> name, long? time = null)
    {
        var random = new Random(7);
        var rows = new List<(string User, string Item, long Time)>();
        for (var u = 0; u < Users; u++)
        {
            var community = u % 4;
            var items = new SortedSet<int>();
            var count = 8 + random.Next(4);
            while (items.Count < count)
            {
                var rank = (int)(10 * Math.Pow(random.NextDouble(), 2));
                items.Add(random.Next(8) == 0 ? random.Next(Items) : (community * 10) + rank);
            }

            foreach (var i in items.Select(i => (Id: name(i), Index: i)).OrderBy(p => p.Id, StringComparer.Ordinal))
            {
                rows.Add(($"u{u:D3}", i.Id, time ?? (1_700_000_000 + (u * 1000) + i.Index)));
            }
        }

        var builder = new TrainingInteractionsBuilder();
        foreach (var (user, item, t) in rows)
        {
            builder.Add(user, item, t, "click");
        }

        return TrainingDataset.Build(builder.Build(), null, TrainingFilter.None);
    }

    private static string Plain(int item) => $"i{item:D2}";

    /// <summary>A seeded permutation of the item names: renamed items sort (and so first appear) in another order.</summary>
    private static string Shuffled(int item) => $"i{((item * 17) + 5) % Items:D2}";

    private static HashSet<(string User, string Item)> Pairs(TrainingDataset data, UserSample sample, Func<string, string> rename)
    {
        var pairs = new HashSet<(string, string)>();
        for (var k = 0; k < sample.Count; k++)
        {
            foreach (var item in sample.Targets[k])
            {
                pairs.Add((data.UserIds[sample.Users[k]], rename(data.ItemIds[item])));
            }
        }

        return pairs;
    }

    [Fact]
    public void Validation_users_shrink_with_a_large_catalogue_within_their_bounds()
    {
        var settings = new TrainingSettings();
        Assert.Equal(10_000, settings.ValidationUsers(9_000));     // a pass over 10,000 users stays within the budget
        Assert.Equal(5_000, settings.ValidationUsers(50_000));     // 250 M scores / 50,000 items
        Assert.Equal(2_000, settings.ValidationUsers(1_000_000));  // never fewer than the minimum
        Assert.Equal(300, new TrainingSettings { MaxValidationUsers = 300 }.ValidationUsers(1_000_000)); // nor more than the maximum
    }

    [Fact]
    public void Eases_lambda_is_searched_on_a_smaller_head_only_where_the_whole_head_fits_too_seldom()
    {
        // A direct solve's cubic cost: a head taking the whole budget allows two fits, so λ is searched on the largest
        // head of which seven fits, plus the whole head's one fit, take two budgets.
        double Cubic(int n) => RecipeModels.EaseTimeBudgetSeconds * Math.Pow(n / 15_000.0, 3);
        var search = RecipeModels.SearchHeadItems(15_000, Cubic)!.Value;
        var perFit = RecipeModels.EaseTimeBudgetSeconds / RecipeModels.MaxEaseLambdaFits;
        Assert.True(Cubic(search) <= perFit && Cubic(search + 1) > perFit);
        Assert.InRange(search, 7_800, 7_900); // 15,000 × (1/7)^(1/3) = 7,841

        // A head cheap enough for every fit of the search is searched whole.
        Assert.Null(RecipeModels.SearchHeadItems(15_000, n => 5.0 * n / 15_000));

        // A cost that hardly falls with the items (a Woodbury solve over many users) would leave a search head too far
        // from the served one: searched whole, with the fits the budget allows.
        Assert.Null(RecipeModels.SearchHeadItems(15_000, n => 25 + (5.0 * n / 15_000)));
    }

    [Fact]
    public void Time_that_carries_no_order_is_detected()
    {
        InteractionMatrix Matrix(Func<int, int, long>? time)
        {
            var users = new List<int>();
            var items = new List<int>();
            var times = new List<long>();
            for (var u = 0; u < 20; u++)
            {
                for (var k = 0; k < 10; k++)
                {
                    users.Add(u);
                    items.Add((u + k) % 30);
                    times.Add(time?.Invoke(u, k) ?? 0);
                }
            }

            return InteractionMatrix.FromCoordinates(20, 30, [.. users], [.. items], [.. Enumerable.Repeat(1f, users.Count)], time is null ? default : [.. times]);
        }

        Assert.False(EvaluationSplit.TimeOrdersInteractions(Matrix(null)));                    // no timestamps
        Assert.False(EvaluationSplit.TimeOrdersInteractions(Matrix((_, _) => 1_700_000_000))); // all equal
        Assert.False(EvaluationSplit.TimeOrdersInteractions(Matrix((u, k) => u * 86_400L * 30 + (k / 4 * 86_400L)))); // daily, 4 events a day
        Assert.True(EvaluationSplit.TimeOrdersInteractions(Matrix((u, k) => 1_700_000_000 + (k * 60))));             // one event a minute
        Assert.True(EvaluationSplit.TimeOrdersInteractions(Matrix((u, k) => 1_700_000_000 + (Math.Min(k, 8) * 60))));         // a few ties (2 in 10)
    }

    [Fact]
    public void Without_order_in_time_holdouts_are_random_not_the_last_items_to_appear()
    {
        // Item indices follow first appearance, so the old tie rule held out the highest indices (the rarest items).
        var data = Shared(Plain, time: 1_700_000_000);
        var split = EvaluationSplit.Create(data.Matrix, 42, maxValidationUsers: 2_000, maxScoredTestUsers: 1_000);

        Assert.False(split.IsTemporal);
        Assert.Equal(0, split.TemporalValidationUsers);
        Assert.Contains("no order", split.Description, StringComparison.Ordinal);
        var counts = data.Matrix.ItemUserCounts();
        var held = split.Validation.Targets.SelectMany(t => t).Select(i => (double)counts[i]).Average();
        var fed = split.Validation.History.SelectMany(h => h).Select(i => (double)counts[i]).Average();
        var lastByIndex = Enumerable.Range(0, split.Validation.Count)
            .Count(k => split.Validation.History[k].Max() < split.Validation.Targets[k].Min());
        Assert.InRange(held / fed, 0.8, 1.25);                             // targets as popular as the rest of the history
        Assert.True(lastByIndex < split.Validation.Count / 2, $"{lastByIndex} of {split.Validation.Count}"); // index order would hold out the last for every user
    }

    [Fact]
    public void With_order_in_time_half_the_validation_users_hold_out_their_newest_and_half_a_random_sample()
    {
        var data = Shared(Plain); // distinct times, increasing with the item index within a user
        var split = EvaluationSplit.Create(data.Matrix, 42, maxValidationUsers: 2_000, maxScoredTestUsers: 1_000);

        Assert.True(split.IsTemporal);
        Assert.InRange(split.TemporalValidationUsers, split.Validation.Count / 3, 2 * split.Validation.Count / 3);
        // A user's events are timed by item number, so "newest" means the highest item numbers.
        int Number(int item) => int.Parse(data.ItemIds[item][1..], CultureInfo.InvariantCulture);
        bool Newest(UserSample sample, int k) => sample.History[k].Max(Number) < sample.Targets[k].Min(Number);
        for (var k = 0; k < split.Validation.Count; k++)
        {
            if (split.ValidationFolds[k] == 0)
            {
                Assert.True(Newest(split.Validation, k));
            }
        }

        Assert.Contains(Enumerable.Range(0, split.Validation.Count), k => split.ValidationFolds[k] == 1 && !Newest(split.Validation, k));
        Assert.All(Enumerable.Range(0, split.Test.Count), k => Assert.True(Newest(split.Test, k)));
    }

    [Fact]
    public void Renaming_items_changes_neither_the_split_nor_the_metrics()
    {
        var plain = Shared(Plain, time: 1_700_000_000);
        var renamed = Shared(Shuffled, time: 1_700_000_000);
        var back = Enumerable.Range(0, Items).ToDictionary(Shuffled, Plain);
        Assert.NotEqual(plain.ItemIds, renamed.ItemIds.Select(id => back[id])); // the items' indices differ

        var a = EvaluationSplit.Create(plain.Matrix, 42, 2_000, 1_000);
        var b = EvaluationSplit.Create(renamed.Matrix, 42, 2_000, 1_000);
        Assert.Equal(Pairs(plain, a.Validation, id => id), Pairs(renamed, b.Validation, id => back[id]));
        Assert.Equal(Pairs(plain, a.Test, id => id), Pairs(renamed, b.Test, id => back[id]));

        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>());
        var first = TrainingPipeline.Run(plain, recipe, [defaults], new TrainingSettings());
        var second = TrainingPipeline.Run(renamed, recipe, [defaults], new TrainingSettings());
        foreach (var (key, value) in first.Metrics)
        {
            Assert.Equal(value, second.Metrics[key], 4); // float noise only: sums run in another item order
        }

        Assert.Equal(first.Evaluation.Candidates!.Select(c => c.BlendWeight), second.Evaluation.Candidates!.Select(c => c.BlendWeight));
    }

    [Fact]
    public void The_default_reports_every_candidate_its_validation_score_and_blend_weight_and_serves_the_blend()
    {
        var data = Shared(Plain);
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>());
        var outcome = TrainingPipeline.Run(data, recipe, [defaults], new TrainingSettings());
        var again = TrainingPipeline.Run(data, recipe, [defaults], new TrainingSettings());

        var candidates = outcome.Evaluation.Candidates!;
        var ease = candidates.TakeWhile(c => c.Hyperparameters["model"] == "ease").ToArray();
        var als = candidates.Where(c => c.Hyperparameters["model"] == "als").ToArray();
        Assert.Equal(["item-knn", "rp3beta", "als", "popularity"], candidates.Skip(ease.Length).Select(c => c.Hyperparameters["model"]).Distinct());

        // ALS's strength was searched the same way from the default α 10 with the regularization in proportion.
        Assert.InRange(als.Length, 3, RecipeModels.MaxAlsStrengthFits);
        Assert.Equal(["10", "20", "5"], als.Take(3).Select(c => c.Hyperparameters["als_alpha"]));
        Assert.All(als, c => Assert.Equal(5 * double.Parse(c.Hyperparameters["als_alpha"], CultureInfo.InvariantCulture), double.Parse(c.Hyperparameters["als_regularization"], CultureInfo.InvariantCulture), 6));
        Assert.True(als.Count(c => c.BlendWeight > 0) <= 1);

        // EASE's λ was searched from the default (doubling and halving, then a half step); each λ is reported once and
        // only the best one on validation may carry a weight.
        Assert.InRange(ease.Length, 4, RecipeModels.MaxEaseLambdaFits);
        Assert.Equal(["100", "200", "50"], ease.Take(3).Select(c => c.Hyperparameters["ease_lambda"]));
        Assert.Equal(ease.Length, ease.Select(c => c.Hyperparameters["ease_lambda"]).Distinct().Count());
        var bestEase = ease.MaxBy(c => c.Objective)!;
        Assert.All(ease.Where(c => c != bestEase), c => Assert.Equal(0, c.BlendWeight));
        Assert.All(candidates, c => Assert.InRange(c.Objective, 0, 1));
        Assert.Equal(1, candidates.Sum(c => c.BlendWeight!.Value), 4);
        Assert.Equal(candidates.Select(c => c.BlendWeight), again.Evaluation.Candidates!.Select(c => c.BlendWeight)); // reproducible for the seed
        Assert.Equal("auto", outcome.Hyperparameters.GetString("model"));

        var members = candidates.Count(c => c.BlendWeight > 0);
        if (members > 1)
        {
            var blend = Assert.IsType<BlendModel>(outcome.Model);
            Assert.Equal(members, blend.Models.Count);
        }

        // The served model round-trips through the artifact.
        var model = SolutionModel.Create(recipe.Name, data, outcome);
        using var buffer = new MemoryStream();
        model.Write(buffer);
        buffer.Position = 0;
        Assert.Equal(model.Recommend("u001", null, 5), SolutionModel.Read(buffer).Recommend("u001", null, 5));
    }

    [Fact]
    public void Without_a_blend_auto_still_searches_eases_lambda_on_the_chosen_objective()
    {
        // Another objective than nDCG@10 keeps one winner (no blend); EASE's λ is searched on that objective.
        var data = Shared(Plain);
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>());
        var outcome = TrainingPipeline.Run(data, recipe, [defaults], new TrainingSettings { ObjectiveMetric = "precision_at_10" });

        var candidates = outcome.Evaluation.Candidates!;
        var ease = candidates.Where(c => c.Hyperparameters["model"] == "ease").ToArray();
        Assert.InRange(ease.Length, 4, RecipeModels.MaxEaseLambdaFits);
        Assert.Equal(ease.Length, ease.Select(c => c.Hyperparameters["ease_lambda"]).Distinct().Count());
        Assert.Null(outcome.Evaluation.BlendObjective);
        var best = candidates.MaxBy(c => c.Objective)!;
        Assert.Equal(best.Hyperparameters["model"], outcome.Hyperparameters.GetString("model"));
        if (best.Hyperparameters["model"] == "ease")
        {
            Assert.Equal(best.Hyperparameters["ease_lambda"], outcome.Hyperparameters.GetString("ease_lambda"));
        }
    }

    [Fact]
    public void Ease_is_a_candidate_wherever_its_cost_fits_and_head_ease_above()
    {
        Assert.True(RecipeModels.EaseCost(40_000, 1_000_000, 50_000_000).Bytes > RecipeModels.TrainingMemoryBytes);
        var (bytes, seconds) = RecipeModels.EaseCost(8_000, 1_000_000, 50_000_000);
        Assert.True(bytes < RecipeModels.TrainingMemoryBytes && seconds > 0);

        var data = Shared(Plain);
        Assert.Equal(data.Matrix.ItemCount, RecipeModels.EaseHeadItems(data.Matrix));
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>());
        Assert.Single(RecipeModels.ExpandAuto(defaults, data.Matrix), c => c.GetString("model") == "ease");
        Assert.Equal(RecipeModels.MaxEaseLambdaFits, RecipeModels.EaseLambdaFits(data.Matrix)); // a small catalogue: the whole search
    }

    [Fact]
    public void Auto_fits_the_configured_als_factors_and_at_most_64_on_large_data()
    {
        var data = Shared(Plain);
        var recipe = RecipeCatalog.Get(RecipeCatalog.UserPersonalization);
        var defaults = RecipeCatalog.Resolve(recipe, null, "h", new Dictionary<string, string[]>());
        Assert.Equal(128, defaults.GetInt32("als_factors"));
        Assert.Equal(128, RecipeModels.ExpandAuto(defaults, data.Matrix).Single(c => c.GetString("model") == "als").GetInt32("als_factors"));
        Assert.Equal(32, RecipeModels.ExpandAuto(defaults.With("als_factors", "32"), data.Matrix).Single(c => c.GetString("model") == "als").GetInt32("als_factors"));

        const long Large = RecipeModels.AutoNeighborhoodMaxInteractions + 1L;
        Assert.Equal(128, RecipeModels.AutoAlsFactors(128, RecipeModels.AutoNeighborhoodMaxInteractions));
        Assert.Equal(RecipeModels.AutoLargeAlsFactors, RecipeModels.AutoAlsFactors(128, Large));
        Assert.Equal(32, RecipeModels.AutoAlsFactors(32, Large));
    }

    [Fact]
    public void The_als_strength_search_makes_as_many_fits_as_its_time_budget_allows()
    {
        var k128 = new AlsOptions { Factors = 128, Iterations = 15 };
        int Fits(AlsOptions options, int users, int items, long interactions, int threads) =>
            RecipeModels.AlsStrengthFits(options, users, items, interactions, threads);

        // A small catalogue gets every fit; above the neighbourhood models' limit one fit, whatever its cost.
        Assert.Equal(RecipeModels.MaxAlsStrengthFits, Fits(k128, 610, 9_000, 90_000, 1));
        Assert.Equal(RecipeModels.MaxAlsStrengthFits, Fits(k128, 40_000, 54_395, 285_309, 1)); // the quality suite's largest catalogue
        Assert.Equal(1, Fits(new AlsOptions { Factors = 8, Iterations = 1 }, 1_000, 1_000, RecipeModels.AutoNeighborhoodMaxInteractions + 1L, 2));

        // Near that limit, the estimate bounds the fits: as many as the budget holds, fewer on fewer threads, fewer with
        // more factors, and at least one.
        var near = Fits(k128, 100_000, 50_000, 4_900_000, 2);
        Assert.InRange(near, 1, RecipeModels.MaxAlsStrengthFits - 1);
        var seconds = AlsTrainer.EstimateSeconds(k128, 100_000, 50_000, 4_900_000, 2);
        Assert.True(near * seconds <= RecipeModels.AlsStrengthBudgetSeconds && (near + 1) * seconds > RecipeModels.AlsStrengthBudgetSeconds);
        Assert.True(Fits(k128, 100_000, 50_000, 4_900_000, 1) <= near);
        Assert.True(Fits(new AlsOptions { Factors = 64, Iterations = 15 }, 100_000, 50_000, 4_900_000, 2) > near);
        Assert.Equal(1, Fits(new AlsOptions { Factors = 1_024, Iterations = 15 }, 100_000, 50_000, 4_900_000, 1));
    }
}
