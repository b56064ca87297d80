using System.Runtime.CompilerServices;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Numerics;

namespace Recsys.Algorithms.Linear;

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): the closed form
/// <c>P = (XᵀX + λI)⁻¹</c>, <c>B[i, j] = −P[i, j] / P[j, j]</c> for i ≠ j and <c>B[i, i] = 0</c>, stored in float32 (the
/// direct solve runs in float32, the Woodbury path in float64); with <see cref="EaseOptions.DropoutRate"/> the diagonal λI becomes the per-item
/// <c>Λ = λI + p/(1−p)·diag(XᵀX)</c> (EDLAE).
/// </summary>
public sealed class EaseTrainer
{
    /// <summary>Largest <see cref="EaseOptions.MaxItems"/> allowed (a float32 items² array must fit in one .NET array).</summary>
    public const int ItemLimit = 46_000;

    // Throughput of one dedicated core of a 2-core AMD EPYC (Zen 3, AVX2) VM, from tests/benchmarks/results/
    // training-ease-solve.json: the sweep ran at 77–80 GFLOPS per CPU-second (n³ flops at 8,757 and 20,000 items),
    // taken as 70; the float64 Woodbury inverse (DenseCholesky) at about a fourteenth of that. The cross-over rows of
    // the same file check the choice.
    private const double DirectFlopsPerSecond = 70e9;
    private const double WoodburyInverseFlopsPerSecond = 5e9;
    private const double WoodburyProductFlopsPerSecond = 2e9;
    private const double DenseSecondsPerEntry = 2e-9;

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

    /// <summary>
    /// Expected cost of the direct solve at <paramref name="items"/> items on <paramref name="threads"/> cores: an
    /// items³-flop sweep, one float32 items² buffer.
    /// </summary>
    public static EaseCost EstimateDirect(int items, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        double n = items;
        var seconds = (n * n * n / (DirectFlopsPerSecond * TrainingScheduler.Speedup(threads))) + (n * n * DenseSecondsPerEntry);
        var bytes = (4 * (long)items * items) + (3L * 4 * SymmetricInverse.DefaultBlockSize * items);
        return new EaseCost(EaseSolver.Direct, seconds, bytes);
    }

    /// <summary>
    /// Expected cost of the Woodbury solve: a float64 users × users inverse, a dense float64 users × items product
    /// and the float32 items² model.
    /// </summary>
    public static EaseCost EstimateWoodbury(int users, int items, long interactions, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfNegative(interactions);
        double m = users;
        double n = items;
        var speedup = TrainingScheduler.Speedup(threads);
        var seconds = (m * m * m / (WoodburyInverseFlopsPerSecond * speedup))
            + ((2 * interactions * (m + n)) / (WoodburyProductFlopsPerSecond * speedup))
            + (n * n * DenseSecondsPerEntry);
        var bytes = (16 * (long)users * users) + (8L * users * items) + (4L * items * items);
        return new EaseCost(EaseSolver.Woodbury, seconds, bytes);
    }

    /// <summary>The solver <see cref="EaseSolver.Auto"/> runs: the one with the lower estimated time.</summary>
    public static EaseSolver ChooseSolver(int users, int items, long interactions, int threads) =>
        EstimateWoodbury(users, items, interactions, threads).Seconds < EstimateDirect(items, threads).Seconds
            ? EaseSolver.Woodbury
            : EaseSolver.Direct;

    /// <summary>
    /// The largest catalogue whose direct solve is expected to fit in <paramref name="memoryBytes"/> and
    /// <paramref name="time"/> on <paramref name="threads"/> cores (never above <see cref="ItemLimit"/>).
    /// </summary>
    public static int MaxDirectItems(long memoryBytes, TimeSpan time, int threads)
    {
        int low = 0, high = ItemLimit;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            var cost = EstimateDirect(mid, threads);
            if (cost.PeakBytes <= memoryBytes && cost.Seconds <= time.TotalSeconds)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
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
            _ => ChooseSolver(interactions.UserCount, n, interactions.NonZeroCount, _options.MaxDegreeOfParallelism) == EaseSolver.Woodbury,
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

    /// <summary>
    /// Gram matrix, inverse and B all in one float32 items × items buffer (1.6 GB at 20,000 items): the lower
    /// triangle of XᵀX + Λ is swept in place into −P (<see cref="SymmetricInverse"/>), and B[i, j] = −P[i, j] / P[j, j]
    /// is written over it.
    /// </summary>
    private EaseModel FitDirect(InteractionMatrix x, double[] regularization)
    {
        var n = x.ItemCount;
        var matrix = new float[(long)n * n];

        // Lower triangle of XᵀX from each user's (ascending) row; sums of products of float32 weights, exact for
        // counts below 2²⁴.
        for (var u = 0; u < x.UserCount; u++)
        {
            var items = x.RowItems(u);
            var weights = x.RowWeights(u);
            for (var a = 0; a < items.Length; a++)
            {
                var rowOffset = (long)items[a] * n;
                var wa = weights[a];
                for (var b = 0; b <= a; b++)
                {
                    matrix[rowOffset + items[b]] += wa * weights[b];
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            matrix[((long)i * n) + i] += (float)regularization[i];
        }

        SymmetricInverse.SweepLower(matrix, n, _options.MaxDegreeOfParallelism, TileKernels.Best, SymmetricInverse.DefaultBlockSize);

        // The buffer holds S = −P, so B[i, j] = −S[i, j] / S[j, j].
        var columnScale = new float[n];
        for (var j = 0; j < n; j++)
        {
            columnScale[j] = -1f / matrix[((long)j * n) + j];
        }

        SymmetricInverse.MirrorLower(matrix, n, columnScale, zeroDiagonal: true, _options.MaxDegreeOfParallelism);
        return new EaseModel(n, matrix);
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
