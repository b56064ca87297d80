using System.Runtime.CompilerServices;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Numerics;

namespace Recsys.Algorithms.Linear;

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): the closed form
/// <c>P = (XᵀX + λI)⁻¹</c>, <c>B[i, j] = −P[i, j] / P[j, j]</c> for i ≠ j and <c>B[i, i] = 0</c>, computed in float64 and
/// stored in float32; with <see cref="EaseOptions.DropoutRate"/> the diagonal λI becomes the per-item
/// <c>Λ = λI + p/(1−p)·diag(XᵀX)</c> (EDLAE).
/// </summary>
public sealed class EaseTrainer
{
    /// <summary>Largest <see cref="EaseOptions.MaxItems"/> allowed (a float32 items² array must fit in one .NET array).</summary>
    public const int ItemLimit = 46_000;

    private readonly EaseOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public EaseTrainer(EaseOptions? options = null)
    {
        _options = options ?? new EaseOptions();
        if (!(_options.Lambda > 0) || double.IsInfinity(_options.Lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Lambda must be positive and finite.");
        }

        if (!(_options.DropoutRate >= 0 && _options.DropoutRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "DropoutRate must be in [0, 1).");
        }

        if (_options.MaxItems is <= 0 or > ItemLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxItems must be in [1, {ItemLimit}].");
        }
    }

    /// <summary>Computes B for <paramref name="interactions"/>.</summary>
    /// <exception cref="ArgumentException">The catalogue has more than <see cref="EaseOptions.MaxItems"/> items.</exception>
    public EaseModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var n = interactions.ItemCount;
        if (n > _options.MaxItems)
        {
            throw new ArgumentException(
                $"EASE needs a dense {n} × {n} matrix ({4.0 * n * n / (1 << 30):F1} GiB); the limit is {_options.MaxItems} items. "
                + "Use an item-kNN or ALS model for this catalogue.",
                nameof(interactions));
        }

        var useWoodbury = _options.Solver switch
        {
            EaseSolver.Direct => false,
            EaseSolver.Woodbury => true,
            _ => interactions.UserCount < n,
        };
        var regularization = ItemRegularization(interactions);
        return useWoodbury ? FitWoodbury(interactions, regularization) : FitDirect(interactions, regularization);
    }

    /// <summary>Λ_ii = λ + p/(1−p)·G_ii.</summary>
    private double[] ItemRegularization(InteractionMatrix x)
    {
        var result = new double[x.ItemCount];
        var emphasis = _options.DropoutRate / (1 - _options.DropoutRate);
        var items = x.ItemIndices;
        var weights = x.Weights;
        for (var p = 0; p < items.Length; p++)
        {
            result[items[p]] += (double)weights[p] * weights[p];
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _options.Lambda + (emphasis * result[i]);
        }

        return result;
    }

    private EaseModel FitDirect(InteractionMatrix x, double[] regularization)
    {
        var n = x.ItemCount;
        var gram = new double[(long)n * n];

        // Lower triangle of XᵀX from each user's (ascending) row.
        for (var u = 0; u < x.UserCount; u++)
        {
            var items = x.RowItems(u);
            var weights = x.RowWeights(u);
            for (var a = 0; a < items.Length; a++)
            {
                var rowOffset = (long)items[a] * n;
                double wa = weights[a];
                for (var b = 0; b <= a; b++)
                {
                    gram[rowOffset + items[b]] += wa * weights[b];
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            gram[((long)i * n) + i] += regularization[i];
        }

        var p = DenseCholesky.Invert(gram, n, _options.MaxDegreeOfParallelism);
        var result = new float[(long)n * n];
        Parallel.For(0, n, TrainingScheduler.Shared.ParallelOptions(_options.MaxDegreeOfParallelism), i =>
        {
            var row = p.AsSpan(i * n, n);
            var target = result.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                target[j] = i == j ? 0f : (float)(-row[j] / p[((long)j * n) + j]);
            }
        });
        return new EaseModel(n, result);
    }

    /// <summary>
    /// With x̃_ui = x_ui / √Λ_i: (XᵀX + Λ)⁻¹ = Λ^(−1/2) Q Λ^(−1/2), where Q = (I + X̃ᵀX̃)⁻¹ = I − X̃ᵀ(I + X̃X̃ᵀ)⁻¹X̃,
    /// so B[i, j] = −Q[i, j] · √Λ_j / (√Λ_i · Q[j, j]).
    /// </summary>
    private EaseModel FitWoodbury(InteractionMatrix x, double[] regularization)
    {
        var n = x.ItemCount;
        var m = x.UserCount;
        var parallel = TrainingScheduler.Shared.ParallelOptions(_options.MaxDegreeOfParallelism);
        var scale = new double[n];
        for (var i = 0; i < n; i++)
        {
            scale[i] = 1 / Math.Sqrt(regularization[i]);
        }

        // K = (I + X̃X̃ᵀ)⁻¹, users × users.
        var userGram = new double[(long)m * m];
        _ = x.ColumnOffsets;
        Parallel.For(0, m, parallel, u =>
        {
            var row = userGram.AsSpan(u * m, m);
            var items = x.RowItems(u);
            var weights = x.RowWeights(u);
            for (var e = 0; e < items.Length; e++)
            {
                var w = weights[e] * scale[items[e]] * scale[items[e]];
                var users = x.ColumnUsers(items[e]);
                var userWeights = x.ColumnValues(items[e]);
                for (var f = 0; f < users.Length; f++)
                {
                    row[users[f]] += w * userWeights[f];
                }
            }

            row[u] += 1;
        });
        var k = DenseCholesky.Invert(userGram, m, _options.MaxDegreeOfParallelism);

        // W = K·X̃, users × items (dense rows).
        var w = new double[(long)m * n];
        Parallel.For(0, m, parallel, u =>
        {
            var target = w.AsSpan(u * n, n);
            var kRow = k.AsSpan(u * m, m);
            for (var v = 0; v < m; v++)
            {
                var kuv = kRow[v];
                var items = x.RowItems(v);
                var weights = x.RowWeights(v);
                for (var e = 0; e < items.Length; e++)
                {
                    target[items[e]] += kuv * weights[e] * scale[items[e]];
                }
            }
        });

        // Q = I − X̃ᵀW, one row at a time; its diagonal first.
        var diagonal = new double[n];
        for (var j = 0; j < n; j++)
        {
            var s = 1d;
            var users = x.ColumnUsers(j);
            var weights = x.ColumnValues(j);
            for (var f = 0; f < users.Length; f++)
            {
                s -= weights[f] * scale[j] * w[((long)users[f] * n) + j];
            }

            diagonal[j] = s;
        }

        var columnFactor = new double[n];
        for (var j = 0; j < n; j++)
        {
            columnFactor[j] = 1 / (scale[j] * diagonal[j]);
        }

        var result = new float[(long)n * n];
        Parallel.For(
            0,
            n,
            parallel,
            () => new double[n],
            (i, _, row) =>
            {
                WoodburyRow(i, x, w, scale, columnFactor, row, result.AsSpan(i * n, n));
                return row;
            },
            _ => { });
        return new EaseModel(n, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WoodburyRow(int i, InteractionMatrix x, double[] w, double[] scale, double[] columnFactor, double[] row, Span<float> target)
    {
        var n = row.Length;
        row.AsSpan().Clear();
        row[i] = 1;
        var users = x.ColumnUsers(i);
        var weights = x.ColumnValues(i);
        for (var f = 0; f < users.Length; f++)
        {
            VectorKernels.Axpy(-(double)weights[f] * scale[i], w.AsSpan(users[f] * n, n), row);
        }

        // B[i, j] = −Q[i, j] · scale[i] / (scale[j] · Q[j, j]).
        var rowFactor = -scale[i];
        for (var j = 0; j < n; j++)
        {
            target[j] = (float)(row[j] * rowFactor * columnFactor[j]);
        }

        target[i] = 0f;
    }
}
