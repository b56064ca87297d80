using System.Diagnostics;
using System.Runtime.CompilerServices;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Numerics;

namespace Recsys.Algorithms.Factorization;

/// <summary>
/// Implicit-feedback matrix factorization by alternating least squares with a conjugate-gradient solver
/// (Hu, Koren and Volinsky 2008; Takács et al. 2011), with the conventions of the <c>implicit</c> library:
/// an observed cell of weight w has preference 1 and confidence <c>Alpha·w</c>, unobserved cells have preference 0
/// and confidence 1, and the loss is
/// <c>Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²)</c>.
/// Hu et al.'s <c>1 + α·r</c> is obtained with weights <c>1/α + r</c>.
/// Same algorithm as <c>implicit</c> 0.7.2's CPU <c>AlternatingLeastSquares(use_cg=True)</c>: factors drawn uniform in
/// [0, 1)·0.01, users first, then items; per iteration a user sweep against <c>YᵀY + λI</c> then an item sweep
/// against <c>XᵀX + λI</c> (Gram recomputed from the current factors before each sweep); <c>cg_steps</c> (3) CG steps
/// warm-started from the previous vector; rows without interactions set to zero; scores are <c>x_u·y_i</c>.
/// Weights must be positive: implicit's convention that a negative weight is a dislike (preference 0, confidence
/// |α·w|) is not supported (the training data layer rejects weights ≤ 0).
/// </summary>
/// <remarks>
/// <para>
/// Float32 throughout; each user (item) solve is sequential and independent, and Gram matrices are summed over
/// fixed row blocks in a fixed order, so a seed gives the same model whatever the degree of parallelism.
/// </para>
/// <para>
/// The only difference from <c>implicit</c> is the random generator of the start (SplitMix64 here, numpy's PCG64
/// there; same distribution). Started from implicit's exact initial factors
/// (<see cref="Fit(InteractionMatrix, ReadOnlySpan{float}, ReadOnlySpan{float}, Action{AlsIteration})"/>), this trainer
/// reproduces the implicit reference rows of the ml-latest-small splits benchmark to about 1e-5 in nDCG@10 with
/// α = 1 and to about 1e-3 with α ≥ 10 (float summation order).
/// The solver is deliberately implicit's: 4, 5, 6, 8 or 12 CG steps, an exact per-row Cholesky solve, a relative
/// residual tolerance and float64 CG arithmetic were measured there over seeds 0-9 (chrono split: 0-39) and none
/// raised nDCG@10 beyond seed noise (paired differences ≤ 0.0001 with α = 1); with α = 40 and 128 factors, solving
/// more exactly lowered it (0.099 with 3 steps, 0.090 exact); and every extra CG step costs about 15 % more time
/// per iteration.
/// </para>
/// </remarks>
public sealed class AlsTrainer
{
    private const int GramBlockRows = 256;

    // Seconds of one iteration on one core (TrainingScheduler.Speedup for more), fitted (relative least squares) to 21
    // fits on one training thread of a 2-core AMD EPYC (Zen 3, AVX2) VM, each with the scoring of its validation users:
    // the ALS candidates of tests/benchmarks/results/training-quality.json (18 cases, 128 factors, 300 to 40,000
    // users, 500 to 54,000 items, 14k to 640k interactions), the demo's shop, and the 20 M-interaction scale run with 64
    // and 128 factors. Estimates came within 0.65–1.21 of the measured time (lowest on the largest catalogues, whose
    // validation scoring the two terms do not count). Per row and factor² (Gram products, the CG's Gram matrix-vector
    // products) and per stored interaction and factor (the CG's gathered dot products and updates).
    private const double SecondsPerRowFactorSquared = 5.9e-10;
    private const double SecondsPerInteractionFactor = 3.65e-9;

    private readonly AlsOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public AlsTrainer(AlsOptions? options = null)
    {
        _options = options ?? new AlsOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Factors, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.Regularization, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Alpha, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.Iterations, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.ConjugateGradientSteps, nameof(options));
    }

    /// <summary>
    /// Expected seconds of a fit with <paramref name="options"/> on <paramref name="users"/> × <paramref name="items"/>
    /// with <paramref name="interactions"/> stored pairs on <paramref name="threads"/> cores (0 or less: all), scoring
    /// of a validation sample included: the iterations' Gram and CG work grow with the rows times the factors squared
    /// and with the interactions times the factors.
    /// </summary>
    public static double EstimateSeconds(AlsOptions options, int users, int items, long interactions, int threads)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfNegative(interactions);
        double k = options.Factors;
        var perIteration = (((double)users + items) * k * k * SecondsPerRowFactorSquared) + (interactions * k * SecondsPerInteractionFactor);
        return options.Iterations * perIteration / TrainingScheduler.Speedup(threads);
    }

    /// <summary>Factorizes <paramref name="interactions"/> from the seeded random start.</summary>
    /// <param name="interactions">Users × items weights (implicit feedback: typically 1).</param>
    /// <param name="onIteration">Called after every iteration, e.g. for progress or loss tracking.</param>
    public AlsModel Fit(InteractionMatrix interactions, Action<AlsIteration>? onIteration = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var k = _options.Factors;
        var userFactors = new float[(long)interactions.UserCount * k];
        var itemFactors = new float[(long)interactions.ItemCount * k];
        var random = new SplitMix64(_options.Seed);
        for (var p = 0; p < userFactors.Length; p++)
        {
            userFactors[p] = random.NextSingle() * 0.01f;
        }

        for (var p = 0; p < itemFactors.Length; p++)
        {
            itemFactors[p] = random.NextSingle() * 0.01f;
        }

        return Train(interactions, userFactors, itemFactors, onIteration);
    }

    /// <summary>
    /// Factorizes <paramref name="interactions"/> starting from the given factors instead of the seeded random start
    /// (as <c>implicit</c> does when its factors are set before <c>fit</c>): for warm starts, and to start from
    /// another implementation's exact initial factors when comparing with it.
    /// </summary>
    /// <param name="interactions">Users × items weights (implicit feedback: typically 1).</param>
    /// <param name="initialUserFactors">Row-major users × <see cref="AlsOptions.Factors"/> start (copied).</param>
    /// <param name="initialItemFactors">Row-major items × <see cref="AlsOptions.Factors"/> start (copied).</param>
    /// <param name="onIteration">Called after every iteration, e.g. for progress or loss tracking.</param>
    /// <exception cref="ArgumentException">A factor matrix does not have the matrix's rows × factors values.</exception>
    public AlsModel Fit(
        InteractionMatrix interactions,
        ReadOnlySpan<float> initialUserFactors,
        ReadOnlySpan<float> initialItemFactors,
        Action<AlsIteration>? onIteration = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var k = _options.Factors;
        if (initialUserFactors.Length != (long)interactions.UserCount * k)
        {
            throw new ArgumentException($"Expected {interactions.UserCount} × {k} user factors.", nameof(initialUserFactors));
        }

        if (initialItemFactors.Length != (long)interactions.ItemCount * k)
        {
            throw new ArgumentException($"Expected {interactions.ItemCount} × {k} item factors.", nameof(initialItemFactors));
        }

        return Train(interactions, initialUserFactors.ToArray(), initialItemFactors.ToArray(), onIteration);
    }

    private AlsModel Train(InteractionMatrix interactions, float[] userFactors, float[] itemFactors, Action<AlsIteration>? onIteration)
    {
        var k = _options.Factors;
        var model = new AlsModel(k, _options.Regularization, _options.Alpha, userFactors, itemFactors);
        var parallel = TrainingScheduler.Shared.ParallelOptions(_options.MaxDegreeOfParallelism);
        var gram = new float[k * k];
        for (var iteration = 1; iteration <= _options.Iterations; iteration++)
        {
            var start = Stopwatch.GetTimestamp();
            ComputeGram(itemFactors, k, _options.Regularization, gram, parallel);
            Sweep(userFactors, itemFactors, gram, interactions.RowOffsetArray, interactions.ItemIndexArray, interactions.WeightArray, parallel);
            ComputeGram(userFactors, k, _options.Regularization, gram, parallel);
            Sweep(itemFactors, userFactors, gram, interactions.ColumnOffsetArray, interactions.UserIndexArray, interactions.ColumnWeightArray, parallel);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (onIteration is not null)
            {
                onIteration(new AlsIteration(iteration, elapsed, _options.ComputeLoss ? model.Loss(interactions) : null));
            }
        }

        return model;
    }

    /// <summary>G = FᵀF + λI for the row-major factor matrix F (rows × k), deterministic for any parallelism.</summary>
    internal static void ComputeGram(float[] factors, int k, float regularization, Span<float> gram, ParallelOptions parallel)
    {
        var rows = factors.Length / k;
        var blocks = (rows + GramBlockRows - 1) / GramBlockRows;
        var partials = new float[blocks][];
        Parallel.For(0, blocks, parallel, b => partials[b] = GramBlock(factors, k, b * GramBlockRows, Math.Min(rows, (b + 1) * GramBlockRows)));

        var sum = new double[k * k];
        foreach (var partial in partials)
        {
            for (var p = 0; p < sum.Length; p++)
            {
                sum[p] += partial[p];
            }
        }

        for (var a = 0; a < k; a++)
        {
            sum[(a * k) + a] += regularization;
        }

        for (var p = 0; p < sum.Length; p++)
        {
            gram[p] = (float)sum[p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] GramBlock(float[] factors, int k, int start, int end)
    {
        var partial = new float[k * k];
        for (var r = start; r < end; r++)
        {
            var row = factors.AsSpan(r * k, k);
            for (var a = 0; a < k; a++)
            {
                VectorKernels.Axpy(row[a], row, partial.AsSpan(a * k, k));
            }
        }

        return partial;
    }

    private void Sweep(float[] solve, float[] fixedFactors, float[] gram, int[] offsets, int[] indices, float[] weights, ParallelOptions parallel)
    {
        var k = _options.Factors;
        var alpha = _options.Alpha;
        var steps = _options.ConjugateGradientSteps;
        var rows = offsets.Length - 1;
        const int Chunk = 64;
        Parallel.For(0, (rows + Chunk - 1) / Chunk, parallel, c =>
        {
            Span<float> r = stackalloc float[k];
            Span<float> p = stackalloc float[k];
            Span<float> ap = stackalloc float[k];
            var end = Math.Min(rows, (c + 1) * Chunk);
            for (var row = c * Chunk; row < end; row++)
            {
                ConjugateGradient(
                    solve.AsSpan(row * k, k),
                    fixedFactors,
                    gram,
                    indices.AsSpan(offsets[row], offsets[row + 1] - offsets[row]),
                    weights.AsSpan(offsets[row], offsets[row + 1] - offsets[row]),
                    alpha,
                    steps,
                    r,
                    p,
                    ap);
            }
        });
    }

    /// <summary>
    /// A few CG steps on <c>(G + Σ (c−1) y yᵀ) x = Σ c y</c>, warm-started from x (the <c>implicit</c> CG update,
    /// <c>implicit/cpu/_als.pyx</c> <c>_least_squares_cg</c>); a row without interactions is set to zero, as there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ConjugateGradient(
        Span<float> x,
        float[] fixedFactors,
        ReadOnlySpan<float> gram,
        ReadOnlySpan<int> indices,
        ReadOnlySpan<float> weights,
        float alpha,
        int steps,
        Span<float> r,
        Span<float> p,
        Span<float> ap)
    {
        var k = x.Length;
        if (indices.IsEmpty)
        {
            // implicit's _least_squares_cg: "if we have no items for this user, skip and set to zero".
            // The minimizer of xᵀ(YᵀY + λI)x is 0; a few CG steps from the random start would leave a small
            // non-zero vector (and a scorable factor for an item nobody interacted with).
            x.Clear();
            return;
        }

        VectorKernels.SymmetricMatVec(gram, x, r);
        for (var d = 0; d < k; d++)
        {
            r[d] = -r[d];
        }

        for (var e = 0; e < indices.Length; e++)
        {
            var y = fixedFactors.AsSpan(indices[e] * k, k);
            var confidence = alpha * weights[e];
            VectorKernels.Axpy(confidence - ((confidence - 1f) * VectorKernels.Dot(y, x)), y, r);
        }

        r.CopyTo(p);
        var rsOld = VectorKernels.Dot(r, r);
        if (rsOld < 1e-20f)
        {
            return;
        }

        for (var step = 0; step < steps; step++)
        {
            VectorKernels.SymmetricMatVec(gram, p, ap);
            for (var e = 0; e < indices.Length; e++)
            {
                var extra = (alpha * weights[e]) - 1f;
                if (extra != 0f)
                {
                    var y = fixedFactors.AsSpan(indices[e] * k, k);
                    VectorKernels.Axpy(extra * VectorKernels.Dot(y, p), y, ap);
                }
            }

            var stepSize = rsOld / VectorKernels.Dot(p, ap);
            VectorKernels.Axpy(stepSize, p, x);
            VectorKernels.Axpy(-stepSize, ap, r);
            var rsNew = VectorKernels.Dot(r, r);
            if (rsNew < 1e-20f)
            {
                return;
            }

            var beta = rsNew / rsOld;
            for (var d = 0; d < k; d++)
            {
                p[d] = r[d] + (beta * p[d]);
            }

            rsOld = rsNew;
        }
    }
}
