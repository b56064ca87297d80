using Recsys.Algorithms.Numerics;

namespace Recsys.Algorithms.Tests;

public class KernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(131)]
    public void Vector_kernels_match_the_scalar_fallback(int n)
    {
        var random = new SplitMix64((ulong)n);
        var x = Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f).ToArray();

        Assert.Equal(VectorKernels.DotScalar(x, y), VectorKernels.Dot(x, y), 1e-5f);

        var a = (float[])y.Clone();
        var b = (float[])y.Clone();
        VectorKernels.Axpy(0.7f, x, a);
        VectorKernels.AxpyScalar(0.7f, x, b);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(b[i], a[i], 1e-6f);
        }

        var xd = x.Select(v => (double)v).ToArray();
        var yd = y.Select(v => (double)v).ToArray();
        Assert.Equal(VectorKernels.DotScalar(xd, yd), VectorKernels.Dot(xd, yd), 1e-12);
        var ad = (double[])yd.Clone();
        var bd = (double[])yd.Clone();
        VectorKernels.Axpy(-1.3, xd, ad);
        VectorKernels.AxpyScalar(-1.3, xd, bd);
        Assert.Equal(bd, ad, (p, q) => Math.Abs(p - q) < 1e-12);
    }

    [Theory]
    [InlineData(64, 103)]
    [InlineData(32, 4)]
    [InlineData(24, 9)]
    [InlineData(5, 6)]
    public void Batched_row_dot_products_are_bit_identical_to_one_dot_per_row(int k, int rows)
    {
        var random = new SplitMix64((ulong)(k * rows));
        var matrix = Enumerable.Range(0, k * rows).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var x = Enumerable.Range(0, k).Select(_ => random.NextSingle() - 0.5f).ToArray();

        var batched = new float[rows];
        VectorKernels.DotRows(matrix, x, batched);

        for (var r = 0; r < rows; r++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(VectorKernels.Dot(matrix.AsSpan(r * k, k), x)), BitConverter.SingleToInt32Bits(batched[r]));
        }
    }

    [Fact]
    public void Symmetric_matvec_matches_the_scalar_fallback()
    {
        const int K = 24;
        var random = new SplitMix64(3);
        var a = new float[K * K];
        for (var r = 0; r < K; r++)
        {
            for (var c = 0; c <= r; c++)
            {
                a[(r * K) + c] = a[(c * K) + r] = random.NextSingle();
            }
        }

        var x = Enumerable.Range(0, K).Select(_ => random.NextSingle()).ToArray();
        var fast = new float[K];
        var slow = new float[K];
        VectorKernels.SymmetricMatVec(a, x, fast);
        VectorKernels.MatVecScalar(a, x, slow);
        Assert.Equal(slow, fast, (p, q) => Math.Abs(p - q) < 1e-4f);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(150)]
    [InlineData(250)]
    public void Cholesky_inverse_times_matrix_is_identity(int n)
    {
        var random = new SplitMix64(11);
        var b = Enumerable.Range(0, n * n).Select(_ => (double)random.NextSingle() - 0.5).ToArray();
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = i == j ? 1.0 : 0.0;
                for (var k = 0; k < n; k++)
                {
                    s += b[(i * n) + k] * b[(j * n) + k];
                }

                a[(i * n) + j] = s;
            }
        }

        var inverse = DenseCholesky.Invert((double[])a.Clone(), n);
        for (var i = 0; i < n; i += 7)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var k = 0; k < n; k++)
                {
                    s += a[(i * n) + k] * inverse[(k * n) + j];
                }

                Assert.Equal(i == j ? 1.0 : 0.0, s, 1e-8);
            }
        }
    }

    [Fact]
    public void Cholesky_solve_solves_a_small_system()
    {
        double[] a = [4, 2, 2, 3];
        double[] b = [2, 1];
        DenseCholesky.Solve(a, 2, b);

        Assert.Equal(0.5, b[0], 12);
        Assert.Equal(0.0, b[1], 12);
    }

    [Fact]
    public void Cholesky_rejects_an_indefinite_matrix()
    {
        double[] a = [1, 2, 2, 1];
        Assert.Throws<ArithmeticException>(() => DenseCholesky.Factor(a, 2));
    }

    [Fact]
    public void Top_k_orders_by_score_then_ascending_index_and_skips_nan()
    {
        float[] scores = [0.5f, 2f, float.NaN, 2f, 1f, 2f];
        var top = TopKSelector.Select(scores, 3);
        Assert.Equal([1, 3, 5], top.Select(s => s.Item).ToArray());

        var all = TopKSelector.Select(scores, 10);
        Assert.Equal([1, 3, 5, 4, 0], all.Select(s => s.Item).ToArray());
    }

    [Fact]
    public void Top_k_matches_a_full_sort_on_random_scores_with_ties()
    {
        var random = new SplitMix64(5);
        var scores = Enumerable.Range(0, 5000).Select(_ => MathF.Round(random.NextSingle() * 50)).ToArray();
        var expected = scores.Select((s, i) => (s, i)).OrderByDescending(p => p.s).ThenBy(p => p.i).Take(40).Select(p => p.i).ToArray();

        Assert.Equal(expected, TopKSelector.Select(scores, 40).Select(s => s.Item).ToArray());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 5)]
    [InlineData(1003, 1)]
    [InlineData(1003, 37)]
    [InlineData(4099, 150)]
    [InlineData(4099, 4099)]
    public void Top_k_matches_a_full_sort_with_nan_ties_and_rising_runs_at_any_length(int length, int k)
    {
        // Blocks of eight that are skipped whole, blocks with one winner, NaNs among them, a rising run (every
        // item wins) and a length that is not a multiple of the vector width.
        var random = new SplitMix64((ulong)(length + k));
        var scores = Enumerable.Range(0, length).Select(i => i % 11 == 3 ? float.NaN : i > length - 40 ? i : MathF.Round(random.NextSingle() * 20)).ToArray();
        var expected = scores.Select((s, i) => (s, i)).Where(p => !float.IsNaN(p.s)).OrderByDescending(p => p.s).ThenBy(p => p.i).Take(k).Select(p => p.i).ToArray();

        Assert.Equal(expected, TopKSelector.Select(scores, k).Select(s => s.Item).ToArray());
    }
}
