using Recsys.Algorithms.Data;
using Recsys.Algorithms.Factorization;

namespace Recsys.Algorithms.Tests;

public class AlsTests
{
    [Theory]
    [InlineData(1f, 0.05f)]
    [InlineData(10f, 0.01f)]
    public void Loss_does_not_increase_over_iterations(float alpha, float regularization)
    {
        var m = TestMatrices.Random(200, 120, 15, 1);
        var losses = new List<double>();
        new AlsTrainer(new AlsOptions { Factors = 8, Alpha = alpha, Regularization = regularization, Iterations = 10, ComputeLoss = true })
            .Fit(m, it => losses.Add(it.Loss!.Value));

        Assert.Equal(10, losses.Count);
        for (var i = 1; i < losses.Count; i++)
        {
            Assert.True(losses[i] <= losses[i - 1] * (1 + 1e-6), $"loss rose at iteration {i + 1}: {losses[i - 1]} → {losses[i]}");
        }

        Assert.True(losses[^1] < losses[0]);
    }

    [Fact]
    public void The_fit_time_estimate_grows_with_rows_times_factors_squared_and_interactions_times_factors()
    {
        var k64 = new AlsOptions { Factors = 64, Iterations = 15 };
        double Seconds(AlsOptions options, int users, int items, long interactions, int threads) =>
            AlsTrainer.EstimateSeconds(options, users, items, interactions, threads);

        Assert.Equal(0, Seconds(k64, 0, 0, 0, 1));
        Assert.Equal(2 * Seconds(k64, 1_000, 1_000, 0, 1), Seconds(k64 with { Iterations = 30 }, 1_000, 1_000, 0, 1), 9);
        Assert.Equal(4 * Seconds(k64, 1_000, 1_000, 0, 1), Seconds(k64 with { Factors = 128 }, 1_000, 1_000, 0, 1), 9);
        Assert.Equal(2 * Seconds(k64, 0, 0, 1_000_000, 1), Seconds(k64 with { Factors = 128 }, 0, 0, 1_000_000, 1), 9);
        Assert.Equal(Seconds(k64, 1_000, 0, 50, 1), Seconds(k64, 0, 1_000, 50, 1), 12); // users and items are rows alike
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(Seconds(k64, 1_000, 1_000, 50_000, 2) < Seconds(k64, 1_000, 1_000, 50_000, 1));
        }

        // The 20 M-interaction scale run (200k users, 50k items, 18.4 M stored pairs, 64 factors, one thread) took 61–83 s
        // in the runs the estimate was fitted to.
        Assert.InRange(Seconds(k64, 200_000, 50_000, 18_400_000, 1), 40, 120);
    }

    [Fact]
    public void Same_seed_gives_the_same_model_whatever_the_parallelism()
    {
        var m = TestMatrices.Random(150, 100, 12, 2);
        var a = new AlsTrainer(new AlsOptions { Factors = 16, Iterations = 3, Seed = 7, MaxDegreeOfParallelism = 1 }).Fit(m);
        var b = new AlsTrainer(new AlsOptions { Factors = 16, Iterations = 3, Seed = 7, MaxDegreeOfParallelism = 4 }).Fit(m);
        var c = new AlsTrainer(new AlsOptions { Factors = 16, Iterations = 3, Seed = 8 }).Fit(m);

        Assert.Equal(SimilarityTests.Bytes(a), SimilarityTests.Bytes(b));
        Assert.NotEqual(SimilarityTests.Bytes(a), SimilarityTests.Bytes(c));
    }

    [Fact]
    public void Fold_in_with_binary_confidence_is_ridge_regression_on_the_full_matrix()
    {
        // With alpha = 1 and weights 1 every cell has confidence 1, so the optimal user vector is
        // (YᵀY + λI)⁻¹ Yᵀ p_u.
        const int K = 4;
        const double Lambda = 0.1;
        var m = TestMatrices.Random(60, 30, 6, 3);
        var model = new AlsTrainer(new AlsOptions { Factors = K, Iterations = 5, Regularization = (float)Lambda }).Fit(m);

        var a = new double[K, K];
        for (var i = 0; i < m.ItemCount; i++)
        {
            var y = model.ItemFactors(i);
            for (var r = 0; r < K; r++)
            {
                for (var c = 0; c < K; c++)
                {
                    a[r, c] += (double)y[r] * y[c];
                }
            }
        }

        for (var r = 0; r < K; r++)
        {
            a[r, r] += Lambda;
        }

        var inverse = EaseTests.GaussJordanInverse(a);
        for (var u = 0; u < 5; u++)
        {
            var b = new double[K];
            foreach (var i in m.RowItems(u))
            {
                for (var r = 0; r < K; r++)
                {
                    b[r] += model.ItemFactors(i)[r];
                }
            }

            var folded = model.FoldIn(m.RowItems(u), m.RowWeights(u));
            for (var r = 0; r < K; r++)
            {
                var expected = 0.0;
                for (var c = 0; c < K; c++)
                {
                    expected += inverse[r, c] * b[c];
                }

                Assert.Equal(expected, folded[r], 1e-4);
            }
        }
    }

    [Fact]
    public void Fold_in_with_unequal_confidences_solves_the_weighted_normal_equations()
    {
        // Confidence α·w: items with confidence c ≠ 1 add (c − 1)·y·yᵀ to YᵀY + λI; the right-hand side is Σ c·y.
        const int K = 4;
        const double Lambda = 0.1;
        var m = TestMatrices.Random(60, 30, 6, 3);
        var model = new AlsTrainer(new AlsOptions { Factors = K, Iterations = 5, Regularization = (float)Lambda, Alpha = 2 }).Fit(m);
        int[] history = [1, 4, 9, 17];
        float[] weights = [1f, 0.5f, 3f, 1f];

        var a = new double[K, K];
        var b = new double[K];
        for (var i = 0; i < m.ItemCount; i++)
        {
            var y = model.ItemFactors(i);
            var at = Array.IndexOf(history, i);
            var confidence = at < 0 ? 1 : 2.0 * weights[at];
            for (var r = 0; r < K; r++)
            {
                b[r] += at < 0 ? 0 : confidence * y[r];
                for (var c = 0; c < K; c++)
                {
                    a[r, c] += (at < 0 ? 1 : confidence) * y[r] * y[c];
                }
            }
        }

        for (var r = 0; r < K; r++)
        {
            a[r, r] += Lambda;
        }

        var inverse = EaseTests.GaussJordanInverse(a);
        var folded = model.FoldIn(history, weights);
        for (var r = 0; r < K; r++)
        {
            var expected = 0.0;
            for (var c = 0; c < K; c++)
            {
                expected += inverse[r, c] * b[c];
            }

            Assert.Equal(expected, folded[r], 1e-4);
        }
    }

    [Fact]
    public void Trained_user_vectors_approach_the_exact_fold_in_as_training_converges()
    {
        var m = TestMatrices.Random(60, 30, 6, 3);
        var model = new AlsTrainer(new AlsOptions { Factors = 4, Iterations = 200, ConjugateGradientSteps = 4, Regularization = 0.1f }).Fit(m);

        for (var u = 0; u < 5; u++)
        {
            var folded = model.FoldIn(m.RowItems(u), m.RowWeights(u));
            var trained = model.UserFactors(u);
            for (var d = 0; d < 4; d++)
            {
                Assert.Equal(folded[d], trained[d], 0.01f);
            }
        }
    }

    [Fact]
    public void Fold_in_scores_a_new_history_and_recommends_unseen_items()
    {
        var m = TestMatrices.Random(200, 80, 10, 4);
        var model = new AlsTrainer(new AlsOptions { Factors = 8, Iterations = 5, Alpha = 5 }).Fit(m);

        var top = model.Recommend([0, 1, 2], default, 10);
        Assert.Equal(10, top.Length);
        Assert.DoesNotContain(top, s => s.Item is 0 or 1 or 2);
        Assert.True(top[0].Score >= top[^1].Score);
    }

    [Fact]
    public void Users_and_items_without_interactions_get_zero_vectors_as_in_implicit()
    {
        // implicit's _least_squares_cg sets a row with no entries to zero instead of running CG from the random start.
        // Users 0..3, items 0..4; user 3 and item 4 have no interactions.
        var m = InteractionMatrix.FromCoordinates(4, 5, [0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 3], [1f, 1f, 1f, 1f, 1f, 1f]);
        var model = new AlsTrainer(new AlsOptions { Factors = 4, Iterations = 2 }).Fit(m);

        Assert.All(model.UserFactors(3).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.ItemFactors(4).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(model.UserFactors(0).ToArray(), v => v != 0f);
    }

    [Fact]
    public void Fit_from_given_factors_starts_there_and_matches_the_seeded_fit_from_the_same_start()
    {
        var m = TestMatrices.Random(80, 50, 8, 5);
        const int K = 6;
        var options = new AlsOptions { Factors = K, Iterations = 0, Seed = 11 };
        var seeded = new AlsTrainer(options).Fit(m);
        var users = Enumerable.Range(0, m.UserCount).SelectMany(u => seeded.UserFactors(u).ToArray()).ToArray();
        var items = Enumerable.Range(0, m.ItemCount).SelectMany(i => seeded.ItemFactors(i).ToArray()).ToArray();

        // Zero iterations return the start as given (copied: the caller's arrays are not trained in place).
        var unchanged = new AlsTrainer(options).Fit(m, users, items);
        Assert.Equal(SimilarityTests.Bytes(seeded), SimilarityTests.Bytes(unchanged));

        var trained = options with { Iterations = 4, Alpha = 5 };
        var fromSeed = new AlsTrainer(trained).Fit(m);
        var fromGiven = new AlsTrainer(trained).Fit(m, users, items);
        Assert.Equal(SimilarityTests.Bytes(fromSeed), SimilarityTests.Bytes(fromGiven));
        Assert.Equal(seeded.UserFactors(0).ToArray(), users.AsSpan(0, K).ToArray());

        Assert.Throws<ArgumentException>(() => new AlsTrainer(options).Fit(m, users.AsSpan(1), items));
        Assert.Throws<ArgumentException>(() => new AlsTrainer(options).Fit(m, users, items.AsSpan(K)));
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlsTrainer(new AlsOptions { Factors = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlsTrainer(new AlsOptions { Regularization = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlsTrainer(new AlsOptions { ConjugateGradientSteps = 0 }));
    }
}
