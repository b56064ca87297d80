using Recsys.Algorithms.Numerics;

namespace Recsys.Algorithms.Tests;

public class SymmetricInverseTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        // (n, block size): one element, fewer rows than a tile, block size − 1 / exact / + 1, several blocks with
        // ragged tiles, and a few hundred at the default block size (one full block plus a remainder).
        { 1, SymmetricInverse.DefaultBlockSize },
        { 7, SymmetricInverse.DefaultBlockSize },
        { 11, 12 },
        { 12, 12 },
        { 13, 12 },
        { 53, 12 },
        { 100, 17 },
        { SymmetricInverse.DefaultBlockSize - 1, SymmetricInverse.DefaultBlockSize },
        { SymmetricInverse.DefaultBlockSize + 1, SymmetricInverse.DefaultBlockSize },
        { 300, SymmetricInverse.DefaultBlockSize },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Blocked_sweep_matches_a_textbook_cholesky_inverse(int n, int block)
    {
        var a = RandomSpd(n, (ulong)(n * 31) + (ulong)block);
        var expected = TextbookCholeskyInverse(a, n);
        var scale = expected.Max(Math.Abs);
        foreach (var width in Widths())
        {
            var actual = ToSingle(a);
            SymmetricInverse.Invert(actual, n, 2, width, block);
            Assert.True(MaxAbsDifference(expected, actual) <= 2e-5 * scale, $"{width}: {MaxAbsDifference(expected, actual)} vs scale {scale}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Vector_paths_match_the_scalar_path(int n, int block)
    {
        var a = RandomSpd(n, (ulong)n + 5);
        var scalar = ToSingle(a);
        SymmetricInverse.Invert(scalar, n, 1, KernelWidth.Scalar, block);
        var scale = scalar.Max(Math.Abs);
        foreach (var width in Widths().Where(w => w != KernelWidth.Scalar))
        {
            var vector = ToSingle(a);
            SymmetricInverse.Invert(vector, n, 2, width, block);

            // Same operations in the same order except fused multiply-adds: agreement to float rounding.
            Assert.True(MaxAbsDifference(scalar.Select(v => (double)v).ToArray(), vector) <= 1e-5 * scale, width.ToString());
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(250)]
    [InlineData(517)]
    public void Inverse_times_matrix_is_identity(int n)
    {
        var a = RandomSpd(n, 11);
        var inverse = ToSingle(a);
        SymmetricInverse.Invert(inverse, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var k = 0; k < n; k++)
                {
                    s += a[(i * n) + k] * inverse[(k * n) + j];
                }

                Assert.Equal(i == j ? 1.0 : 0.0, s, 2e-4);
            }
        }
    }

    [Fact]
    public void Only_the_lower_triangle_is_read()
    {
        const int N = 40;
        var a = RandomSpd(N, 3);
        var full = ToSingle(a);
        var lower = ToSingle(a);
        for (var i = 0; i < N; i++)
        {
            for (var j = i + 1; j < N; j++)
            {
                lower[(i * N) + j] = float.NaN;
            }
        }

        SymmetricInverse.Invert(full, N, -1, KernelWidth.Scalar, 12);
        SymmetricInverse.Invert(lower, N, -1, KernelWidth.Scalar, 12);
        Assert.Equal(full, lower);
    }

    [Fact]
    public void An_indefinite_matrix_is_rejected()
    {
        float[] a = [1, 2, 2, 1];
        Assert.Throws<ArithmeticException>(() => SymmetricInverse.Invert(a, 2));

        // A zero pivot that only appears after earlier blocks were swept.
        var b = RandomSpd(30, 9).Select(v => (float)v).ToArray();
        b[(29 * 30) + 29] = -1000f;
        Assert.Throws<ArithmeticException>(() => SymmetricInverse.Invert(b, 30, 1, KernelWidth.Scalar, 12));
    }

    internal static IEnumerable<KernelWidth> Widths() => [KernelWidth.Scalar, KernelWidth.Vector256, KernelWidth.Vector512];

    /// <summary>BBᵀ/n + I for a random B: SPD with a condition number around 5, deterministic for the seed.</summary>
    internal static double[] RandomSpd(int n, ulong seed)
    {
        var random = new SplitMix64(seed);
        var b = Enumerable.Range(0, n * n).Select(_ => (double)random.NextSingle() - 0.5).ToArray();
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var s = i == j ? 1.0 : 0.0;
                for (var k = 0; k < n; k++)
                {
                    s += b[(i * n) + k] * b[(j * n) + k] * 4 / n;
                }

                a[(i * n) + j] = a[(j * n) + i] = s;
            }
        }

        return a;
    }

    /// <summary>A = LLᵀ column by column, then A⁻¹ = L⁻ᵀL⁻¹, all in float64, straight from the textbook.</summary>
    internal static double[] TextbookCholeskyInverse(double[] a, int n)
    {
        var l = new double[n, n];
        for (var j = 0; j < n; j++)
        {
            var d = a[(j * n) + j];
            for (var k = 0; k < j; k++)
            {
                d -= l[j, k] * l[j, k];
            }

            l[j, j] = Math.Sqrt(d);
            for (var i = j + 1; i < n; i++)
            {
                var s = a[(i * n) + j];
                for (var k = 0; k < j; k++)
                {
                    s -= l[i, k] * l[j, k];
                }

                l[i, j] = s / l[j, j];
            }
        }

        // M = L⁻¹ by forward substitution on the identity's columns.
        var m = new double[n, n];
        for (var c = 0; c < n; c++)
        {
            for (var i = c; i < n; i++)
            {
                var s = i == c ? 1.0 : 0.0;
                for (var k = c; k < i; k++)
                {
                    s -= l[i, k] * m[k, c];
                }

                m[i, c] = s / l[i, i];
            }
        }

        var result = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var k = Math.Max(i, j); k < n; k++)
                {
                    s += m[k, i] * m[k, j];
                }

                result[(i * n) + j] = s;
            }
        }

        return result;
    }

    private static float[] ToSingle(double[] a) => a.Select(v => (float)v).ToArray();

    private static double MaxAbsDifference(double[] expected, float[] actual)
    {
        var max = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        }

        return max;
    }
}
