using Recsys.Algorithms.Linear;

namespace Recsys.Algorithms.Tests;

public class EaseTests
{
    [Fact]
    public void Two_items_always_together_predict_each_other()
    {
        // X = [[1,1],[1,1]]: G = [[2+λ, 2],[2, 2+λ]], P ∝ [[2+λ, −2],[−2, 2+λ]], B[0,1] = 2 / (2 + λ).
        var m = Recsys.Algorithms.Data.InteractionMatrix.FromCoordinates(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1f, 1f, 1f, 1f]);
        var model = new EaseTrainer(new EaseOptions { Lambda = 2 }).Fit(m);

        Assert.Equal(0f, model.Row(0)[0]);
        Assert.Equal(0.5f, model.Row(0)[1], 6);
        Assert.Equal(0.5f, model.Row(1)[0], 6);
    }

    [Theory]
    [InlineData(30, 80, 0.0)]
    [InlineData(120, 40, 0.0)]
    [InlineData(30, 80, 0.25)]
    [InlineData(120, 40, 0.5)]
    [InlineData(700, 300, 0.0)]
    public void Direct_and_woodbury_solvers_agree_with_a_brute_force_inverse(int users, int items, double dropout)
    {
        var m = TestMatrices.Random(users, items, 8, 5);
        const double Lambda = 3;
        var direct = new EaseTrainer(new EaseOptions { Lambda = Lambda, DropoutRate = dropout, Solver = EaseSolver.Direct }).Fit(m);
        var woodbury = new EaseTrainer(new EaseOptions { Lambda = Lambda, DropoutRate = dropout, Solver = EaseSolver.Woodbury }).Fit(m);

        // Brute force: Gauss-Jordan inverse of XᵀX + λI.
        var n = items;
        var g = new double[n, n];
        for (var u = 0; u < users; u++)
        {
            foreach (var i in m.RowItems(u))
            {
                foreach (var j in m.RowItems(u))
                {
                    g[i, j] += 1;
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            g[i, i] += Lambda + (dropout / (1 - dropout) * g[i, i]);
        }

        var p = GaussJordanInverse(g);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var expected = i == j ? 0 : -p[i, j] / p[j, j];
                Assert.Equal(expected, direct.Row(i)[j], 1e-5);
                Assert.Equal(expected, woodbury.Row(i)[j], 1e-5);
            }
        }
    }

    [Fact]
    public void Auto_picks_the_solver_with_the_lower_estimated_cost()
    {
        // Few users: a users² inverse is far cheaper than an items³ one; many users: the direct solve is.
        Assert.Equal(EaseSolver.Woodbury, EaseTrainer.ChooseSolver(600, 9_000, 100_000, 2));
        Assert.Equal(EaseSolver.Direct, EaseTrainer.ChooseSolver(200_000, 9_000, 20_000_000, 2));

        var few = TestMatrices.Random(30, 400, 5, 7);
        var auto = new EaseTrainer(new EaseOptions { Lambda = 3 }).Fit(few);
        var woodbury = new EaseTrainer(new EaseOptions { Lambda = 3, Solver = EaseSolver.Woodbury }).Fit(few);
        Assert.Equal(EaseSolver.Woodbury, EaseTrainer.ChooseSolver(few.UserCount, few.ItemCount, few.NonZeroCount, -1));
        for (var i = 0; i < few.ItemCount; i++)
        {
            Assert.Equal(woodbury.Row(i).ToArray(), auto.Row(i).ToArray());
        }
    }

    [Fact]
    public void Direct_solve_limits_grow_with_memory_and_time()
    {
        var fourGb = 4L << 30;
        var twentyThousand = EaseTrainer.EstimateDirect(20_000, 2);
        Assert.True(twentyThousand.PeakBytes < fourGb, $"{twentyThousand}");
        Assert.True(EaseTrainer.EstimateDirect(10_000, 2).Seconds < twentyThousand.Seconds);
        Assert.True(EaseTrainer.EstimateDirect(20_000, 2).Seconds < EaseTrainer.EstimateDirect(20_000, 1).Seconds);

        var limit = EaseTrainer.MaxDirectItems(fourGb, TimeSpan.FromMinutes(5), 2);
        Assert.InRange(limit, 1, EaseTrainer.ItemLimit);
        var atLimit = EaseTrainer.EstimateDirect(limit, 2);
        var past = EaseTrainer.EstimateDirect(limit + 1, 2);
        Assert.True(atLimit.PeakBytes <= fourGb && atLimit.Seconds <= 300);
        Assert.True(past.PeakBytes > fourGb || past.Seconds > 300);
        Assert.True(EaseTrainer.MaxDirectItems(fourGb, TimeSpan.FromMinutes(1), 2) < limit);
        Assert.True(EaseTrainer.MaxDirectItems(1L << 30, TimeSpan.FromHours(1), 2) < EaseTrainer.MaxDirectItems(fourGb, TimeSpan.FromHours(1), 2));
    }

    [Fact]
    public void Too_many_items_gives_a_clear_error()
    {
        var m = TestMatrices.Random(10, 50, 3, 6);
        var error = Assert.Throws<ArgumentException>(() => new EaseTrainer(new EaseOptions { MaxItems = 20 }).Fit(m));
        Assert.Contains("limit is 20 items", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EaseTrainer(new EaseOptions { Lambda = 0 }));
    }

    internal static double[,] GaussJordanInverse(double[,] a)
    {
        var n = a.GetLength(0);
        var m = (double[,])a.Clone();
        var inv = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            inv[i, i] = 1;
        }

        for (var c = 0; c < n; c++)
        {
            var pivot = m[c, c];
            for (var j = 0; j < n; j++)
            {
                m[c, j] /= pivot;
                inv[c, j] /= pivot;
            }

            for (var r = 0; r < n; r++)
            {
                if (r != c)
                {
                    var f = m[r, c];
                    for (var j = 0; j < n; j++)
                    {
                        m[r, j] -= f * m[c, j];
                        inv[r, j] -= f * inv[c, j];
                    }
                }
            }
        }

        return inv;
    }

    internal static float[] Scores(RecommenderModel model, ReadOnlySpan<int> history)
    {
        var scores = new float[model.ItemCount];
        model.Score(history, default, scores);
        return scores;
    }
}
