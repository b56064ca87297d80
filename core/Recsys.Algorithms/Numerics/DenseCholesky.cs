namespace Recsys.Algorithms.Numerics;

/// <summary>
/// Dense symmetric positive-definite linear algebra in float64 on row-major arrays: a blocked, parallel Cholesky
/// factorization, linear solves and the inverse.
/// </summary>
internal static class DenseCholesky
{
    private const int BlockSize = 96;

    /// <summary>
    /// Overwrites the lower triangle of the n × n matrix <paramref name="a"/> with L, where A = L·Lᵀ (the upper
    /// triangle is not read and is left unchanged).
    /// </summary>
    /// <exception cref="ArithmeticException">A is not (numerically) positive definite.</exception>
    public static void Factor(double[] a, int n, int maxDegreeOfParallelism = -1)
    {
        var parallel = TrainingScheduler.Shared.ParallelOptions(maxDegreeOfParallelism);
        for (var j0 = 0; j0 < n; j0 += BlockSize)
        {
            var j1 = Math.Min(n, j0 + BlockSize);

            // Diagonal block (already updated by previous panels).
            for (var i = j0; i < j1; i++)
            {
                var rowI = a.AsSpan(i * n, n);
                for (var j = j0; j <= i; j++)
                {
                    var rowJ = a.AsSpan(j * n, n);
                    var s = rowI[j] - VectorKernels.Dot(rowI[j0..j], rowJ[j0..j]);
                    if (i == j)
                    {
                        if (!(s > 0))
                        {
                            throw new ArithmeticException($"Matrix is not positive definite (pivot {i} is {s}).");
                        }

                        rowI[i] = Math.Sqrt(s);
                    }
                    else
                    {
                        rowI[j] = s / rowJ[j];
                    }
                }
            }

            if (j1 == n)
            {
                break;
            }

            // Panel below the diagonal block, then the trailing update A22 -= L21·L21ᵀ; rows are independent.
            Rows(j1, n, parallel, i =>
            {
                var rowI = a.AsSpan(i * n, n);
                for (var j = j0; j < j1; j++)
                {
                    var rowJ = a.AsSpan(j * n, n);
                    rowI[j] = (rowI[j] - VectorKernels.Dot(rowI[j0..j], rowJ[j0..j])) / rowJ[j];
                }
            });
            Rows(j1, n, parallel, i =>
            {
                var panelI = a.AsSpan((i * n) + j0, j1 - j0);
                var rowI = a.AsSpan(i * n, n);
                for (var j = j1; j <= i; j++)
                {
                    rowI[j] -= VectorKernels.Dot(panelI, a.AsSpan((j * n) + j0, j1 - j0));
                }
            });
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for rows <paramref name="from"/> to <paramref name="to"/> (exclusive): on the calling
    /// thread when one thread is asked for, so that a small factor (an ALS fold-in's, called from a parallel loop
    /// outside the training threads) never waits for a training thread that may be the one waiting on it.
    /// </summary>
    private static void Rows(int from, int to, ParallelOptions parallel, Action<int> body)
    {
        if (parallel.MaxDegreeOfParallelism == 1)
        {
            for (var i = from; i < to; i++)
            {
                body(i);
            }
        }
        else
        {
            Parallel.For(from, to, parallel, body);
        }
    }

    /// <summary>Solves A·x = b in place of <paramref name="b"/>; <paramref name="a"/> is overwritten by its factor.</summary>
    public static void Solve(double[] a, int n, Span<double> b)
    {
        Factor(a, n, 1);
        SolveFactored(a, n, b);
    }

    /// <summary>Solves A·x = b in place of <paramref name="b"/>, where <paramref name="factor"/> holds A's Cholesky factor (from <see cref="Factor"/>) in its lower triangle.</summary>
    public static void SolveFactored(ReadOnlySpan<double> factor, int n, Span<double> b)
    {
        var a = factor;
        for (var i = 0; i < n; i++)
        {
            b[i] = (b[i] - VectorKernels.Dot(a.Slice(i * n, i), b[..i])) / a[(i * n) + i];
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var k = i + 1; k < n; k++)
            {
                s -= a[(k * n) + i] * b[k];
            }

            b[i] = s / a[(i * n) + i];
        }
    }

    /// <summary>
    /// Returns the full symmetric inverse of the SPD matrix <paramref name="a"/> (whose lower triangle is read and
    /// then overwritten by the Cholesky factor): A⁻¹ = L⁻ᵀ·L⁻¹.
    /// </summary>
    public static double[] Invert(double[] a, int n, int maxDegreeOfParallelism = -1)
    {
        Factor(a, n, maxDegreeOfParallelism);
        var parallel = TrainingScheduler.Shared.ParallelOptions(maxDegreeOfParallelism);

        // M = L⁻¹ (lower triangular), by forward substitution on independent blocks of columns.
        var m = new double[(long)n * n];
        var blocks = (n + BlockSize - 1) / BlockSize;
        Parallel.For(0, blocks, parallel, b =>
        {
            var c0 = b * BlockSize;
            var c1 = Math.Min(n, c0 + BlockSize);
            for (var i = c0; i < n; i++)
            {
                var width = Math.Min(c1, i + 1) - c0;
                var target = m.AsSpan((i * n) + c0, width);
                if (i < c1)
                {
                    target[i - c0] = 1;
                }

                var rowL = a.AsSpan(i * n, n);
                for (var k = c0; k < i; k++)
                {
                    var lik = rowL[k];
                    if (lik != 0)
                    {
                        var w = Math.Min(width, k + 1 - c0);
                        VectorKernels.Axpy(-lik, m.AsSpan((k * n) + c0, w), target[..w]);
                    }
                }

                var inverseDiagonal = 1 / rowL[i];
                for (var c = 0; c < width; c++)
                {
                    target[c] *= inverseDiagonal;
                }
            }
        });

        // A⁻¹[i, j] = Σ_{k ≥ i} M[k, i]·M[k, j] for j ≤ i; rows are independent. Then mirror.
        var result = a;
        Parallel.For(0, n, parallel, i =>
        {
            var row = result.AsSpan(i * n, i + 1);
            row.Clear();
            for (var k = i; k < n; k++)
            {
                var mki = m[(k * n) + i];
                if (mki != 0)
                {
                    VectorKernels.Axpy(mki, m.AsSpan(k * n, i + 1), row);
                }
            }
        });
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                result[(j * n) + i] = result[(i * n) + j];
            }
        }

        return result;
    }
}
