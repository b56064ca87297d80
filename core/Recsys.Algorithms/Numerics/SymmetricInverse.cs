using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recsys.Algorithms.Numerics;

/// <summary>
/// In-place inverse of a dense symmetric positive-definite float32 matrix by the blocked symmetric sweep
/// (block Gauss-Jordan elimination without pivoting, which SPD matrices do not need): n³ flops — as many as a
/// Cholesky factorization followed by its inverse — spent in one register-tiled, parallel rank-b update per block
/// of b = <see cref="DefaultBlockSize"/> pivots, on the lower triangle of the one n × n buffer plus panels of
/// about 3·b·n floats.
/// </summary>
/// <remarks>
/// Sweeping pivot block K of the current matrix S replaces S_KK by −S_KK⁻¹, the rows and columns of K by
/// S_RK·S_KK⁻¹, and every other entry by S_RR − S_RK·S_KK⁻¹·S_KR; after sweeping every block S = −A⁻¹. Every step
/// updates the whole matrix with the same tile kernel, so the two threads stay evenly loaded to the last block.
/// </remarks>
public static class SymmetricInverse
{
    /// <summary>Pivots swept together: a multiple of the tile sizes; 240 × 16 floats (a packed strip) fit in L1.</summary>
    public const int DefaultBlockSize = 240;

    /// <summary>Tile rows a parallel task updates: 20 packed groups (120 × 240 floats) stay in L2 across strips.</summary>
    private const int GroupsPerTask = 20;

    /// <summary>Square tile side of the final mirror pass (two 64 × 64 float tiles fit in L1).</summary>
    private const int MirrorTile = 64;

    /// <summary>
    /// Overwrites the n × n row-major matrix <paramref name="a"/> (only its lower triangle is read) with its full
    /// symmetric inverse.
    /// </summary>
    /// <param name="a">The matrix, row-major; at least n² long.</param>
    /// <param name="n">Its order.</param>
    /// <param name="maxDegreeOfParallelism">Threads; -1 for all cores.</param>
    /// <exception cref="ArithmeticException">A is not (numerically) positive definite.</exception>
    public static void Invert(float[] a, int n, int maxDegreeOfParallelism = -1) =>
        Invert(a, n, maxDegreeOfParallelism, TileKernels.Best, DefaultBlockSize);

    internal static void Invert(float[] a, int n, int maxDegreeOfParallelism, KernelWidth width, int blockSize)
    {
        SweepLower(a, n, maxDegreeOfParallelism, width, blockSize);
        var minusOne = new float[n];
        minusOne.AsSpan().Fill(-1f);
        MirrorLower(a, n, minusOne, zeroDiagonal: false, maxDegreeOfParallelism);
    }

    /// <summary>
    /// Overwrites the lower triangle (diagonal included) of the SPD matrix <paramref name="a"/> with the lower
    /// triangle of −A⁻¹; the strict upper triangle is neither read nor written.
    /// </summary>
    /// <exception cref="ArithmeticException">A is not (numerically) positive definite.</exception>
    internal static void SweepLower(float[] a, int n, int maxDegreeOfParallelism, KernelWidth width, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        if (a.LongLength < (long)n * n)
        {
            throw new ArgumentException("The array is shorter than n².", nameof(a));
        }

        if (n == 0)
        {
            return;
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        const int Mr = TileKernels.Rows;
        var nr = TileKernels.Columns(width);
        var maxBlock = Math.Min(blockSize, n);
        var strips = (n + nr - 1) / nr;
        var groups = (n + Mr - 1) / Mr;
        var rows = new float[(long)strips * maxBlock * nr];                 // R = S_K,: in strips of nr columns
        var rowsT = new float[(long)groups * maxBlock * Mr];                // Rᵀ in groups of Mr rows
        var products = new float[(long)strips * RoundUp(maxBlock, Mr) * nr]; // W = S_KK⁻¹·R in strips
        var pivots = new double[maxBlock * maxBlock];
        var pivotsPacked = new float[RoundUp(maxBlock, Mr) * maxBlock];

        for (var k0 = 0; k0 < n; k0 += blockSize)
        {
            var b = Math.Min(blockSize, n - k0);
            var bPad = RoundUp(b, Mr);
            var step = new SweepStep(a, n, k0, b, nr, width, rows, rowsT, products);

            Parallel.For(0, strips, parallel, step.PackRowStrip);
            Parallel.For(0, groups, parallel, step.PackTransposedGroup);

            // −S_KK⁻¹ in float64 (b³ flops, negligible next to b·n²), packed by groups of Mr rows as the left operand.
            for (var t = 0; t < b; t++)
            {
                for (var s = 0; s < b; s++)
                {
                    pivots[(t * b) + s] = rows[((long)((k0 + s) / nr) * b * nr) + (t * nr) + ((k0 + s) % nr)];
                }
            }

            SweepSmall(pivots.AsSpan(0, b * b), b, k0);
            pivotsPacked.AsSpan().Clear();
            for (var t = 0; t < b; t++)
            {
                for (var s = 0; s < b; s++)
                {
                    pivotsPacked[((t / Mr) * b * Mr) + (s * Mr) + (t % Mr)] = (float)-pivots[(t * b) + s];
                }
            }

            Parallel.For(0, strips, parallel, s => step.MultiplyStrip(s, pivotsPacked, bPad));
            Parallel.For(0, (groups + GroupsPerTask - 1) / GroupsPerTask, parallel, task => step.UpdateGroups(task * GroupsPerTask, Math.Min(groups, (task + 1) * GroupsPerTask), bPad));
            Parallel.For(0, strips, parallel, s => step.WriteSweptStrip(s, bPad));
            for (var t = 0; t < b; t++)
            {
                for (var s = 0; s <= t; s++)
                {
                    a[((long)(k0 + t) * n) + k0 + s] = (float)pivots[(t * b) + s];
                }
            }
        }
    }

    /// <summary>
    /// Turns the lower triangle L of <paramref name="a"/> into a full matrix in place: entry (i, j) below the
    /// diagonal becomes L_ij·scale[j], its mirror (j, i) becomes L_ij·scale[i], and the diagonal L_ii·scale[i]
    /// (or 0 with <paramref name="zeroDiagonal"/>). Tiled so the transposed writes stay in L1.
    /// </summary>
    internal static void MirrorLower(float[] a, int n, ReadOnlySpan<float> scale, bool zeroDiagonal, int maxDegreeOfParallelism)
    {
        var factors = scale.ToArray();
        var tiles = (n + MirrorTile - 1) / MirrorTile;
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, ti =>
        {
            var i0 = ti * MirrorTile;
            var i1 = Math.Min(n, i0 + MirrorTile);
            for (var tj = 0; tj <= ti; tj++)
            {
                var j0 = tj * MirrorTile;
                for (var i = i0; i < i1; i++)
                {
                    var rowI = (long)i * n;
                    var j1 = Math.Min(i, j0 + MirrorTile);
                    for (var j = j0; j < j1; j++)
                    {
                        var value = a[rowI + j];
                        a[rowI + j] = value * factors[j];
                        a[((long)j * n) + i] = value * factors[i];
                    }

                    if (tj == ti)
                    {
                        a[rowI + i] = zeroDiagonal ? 0f : a[rowI + i] * factors[i];
                    }
                }
            }
        });
    }

    /// <summary>
    /// The unblocked sweep of the small full symmetric matrix <paramref name="d"/> (b × b) in float64: afterwards it
    /// holds −D⁻¹.
    /// </summary>
    private static void SweepSmall(Span<double> d, int b, int offset)
    {
        for (var p = 0; p < b; p++)
        {
            var pivot = d[(p * b) + p];
            if (!(pivot > 0))
            {
                throw new ArithmeticException($"Matrix is not positive definite (pivot {offset + p} is {pivot}).");
            }

            var inverse = 1 / pivot;
            var rowP = d.Slice(p * b, b);
            for (var i = 0; i < b; i++)
            {
                if (i == p)
                {
                    continue;
                }

                var rowI = d.Slice(i * b, b);
                var f = rowI[p] * inverse;
                VectorKernels.Axpy(-f, rowP, rowI);
                rowI[p] = f;
            }

            for (var j = 0; j < b; j++)
            {
                rowP[j] *= inverse;
            }

            rowP[p] = -inverse;
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>One block step: the panels, and the passes over them that run in parallel.</summary>
    private sealed class SweepStep(float[] a, int n, int k0, int b, int nr, KernelWidth width, float[] rows, float[] rowsT, float[] products)
    {
        private const int Mr = TileKernels.Rows;

        /// <summary>Strip s of R = S[K, :] (b × nr, zero beyond column n), read from the lower triangle.</summary>
        public void PackRowStrip(int s)
        {
            var target = rows.AsSpan(s * b * nr, b * nr);
            var j0 = s * nr;
            var count = Math.Min(nr, n - j0);
            if (count < nr)
            {
                target.Clear();
            }

            if (j0 + count <= k0 + 1)
            {
                // Left of the block: S[k0 + t, j0 ..] is a contiguous piece of row k0 + t.
                for (var t = 0; t < b; t++)
                {
                    a.AsSpan((int)((long)(k0 + t) * n) + j0, count).CopyTo(target.Slice(t * nr, count));
                }

                return;
            }

            for (var c = 0; c < count; c++)
            {
                var j = j0 + c;
                if (j >= k0 + b)
                {
                    // Below the block: S[K, j] = S[j, K], contiguous in row j.
                    var source = a.AsSpan((int)((long)j * n) + k0, b);
                    for (var t = 0; t < b; t++)
                    {
                        target[(t * nr) + c] = source[t];
                    }
                }
                else
                {
                    for (var t = 0; t < b; t++)
                    {
                        var i = k0 + t;
                        target[(t * nr) + c] = j <= i ? a[((long)i * n) + j] : a[((long)j * n) + i];
                    }
                }
            }
        }

        /// <summary>Group g of Rᵀ (Mr rows × b, k-major, zero beyond row n).</summary>
        public void PackTransposedGroup(int g)
        {
            var target = rowsT.AsSpan(g * b * Mr, b * Mr);
            for (var r = 0; r < Mr; r++)
            {
                var j = (g * Mr) + r;
                if (j >= n)
                {
                    for (var t = 0; t < b; t++)
                    {
                        target[(t * Mr) + r] = 0f;
                    }

                    continue;
                }

                var source = rows.AsSpan(((j / nr) * b * nr) + (j % nr));
                for (var t = 0; t < b; t++)
                {
                    target[(t * Mr) + r] = source[t * nr];
                }
            }
        }

        /// <summary>Strip s of W = S_KK⁻¹·R (bPad × nr; the rows past b are padding).</summary>
        public void MultiplyStrip(int s, float[] pivotsPacked, int bPad)
        {
            ref var right = ref rows[s * b * nr];
            ref var target = ref products[s * bPad * nr];
            for (var g = 0; g < bPad / Mr; g++)
            {
                TileKernels.Tile(width, ref pivotsPacked[g * b * Mr], ref right, b, ref Unsafe.Add(ref target, g * Mr * nr), nr, subtract: false);
            }
        }

        /// <summary>S[i, j] −= Σ_t R[t, i]·W[t, j] on the lower triangle, rows of groups [g0, g1).</summary>
        public void UpdateGroups(int g0, int g1, int bPad)
        {
            Span<float> scratch = stackalloc float[Mr * 32];
            var lastRow = Math.Min(n, g1 * Mr) - 1;
            for (var s = 0; s * nr <= lastRow; s++)
            {
                var j0 = s * nr;
                ref var right = ref products[s * bPad * nr];
                for (var g = g0; g < g1; g++)
                {
                    var i0 = g * Mr;
                    if (i0 + Mr - 1 < j0)
                    {
                        continue;
                    }

                    ref var left = ref rowsT[g * b * Mr];
                    if (i0 >= j0 + nr - 1 && i0 + Mr <= n && j0 + nr <= n)
                    {
                        TileKernels.Tile(width, ref left, ref right, b, ref a[((long)i0 * n) + j0], n, subtract: true);
                        continue;
                    }

                    // A tile on the diagonal or the matrix's edge: only its lower, in-range part is written.
                    TileKernels.Tile(width, ref left, ref right, b, ref MemoryMarshal.GetReference(scratch), nr, subtract: false);
                    for (var r = 0; r < Mr && i0 + r < n; r++)
                    {
                        var i = i0 + r;
                        var rowI = (long)i * n;
                        for (var c = 0; c < nr && j0 + c <= i; c++)
                        {
                            a[rowI + j0 + c] -= scratch[(r * nr) + c];
                        }
                    }
                }
            }
        }

        /// <summary>
        /// S[i, K] = W[:, i]ᵀ for the columns i of strip s outside K, stored where the lower triangle keeps it: in
        /// rows K for i left of the block, in row i for i below it.
        /// </summary>
        public void WriteSweptStrip(int s, int bPad)
        {
            var source = products.AsSpan(s * bPad * nr, b * nr);
            var j0 = s * nr;
            var count = Math.Min(nr, n - j0);
            if (j0 + count <= k0)
            {
                for (var t = 0; t < b; t++)
                {
                    source.Slice(t * nr, count).CopyTo(a.AsSpan((int)((long)(k0 + t) * n) + j0, count));
                }

                return;
            }

            for (var c = 0; c < count; c++)
            {
                var i = j0 + c;
                if (i >= k0 + b)
                {
                    var target = a.AsSpan((int)((long)i * n) + k0, b);
                    for (var t = 0; t < b; t++)
                    {
                        target[t] = source[(t * nr) + c];
                    }
                }
                else if (i < k0)
                {
                    for (var t = 0; t < b; t++)
                    {
                        a[((long)(k0 + t) * n) + i] = source[(t * nr) + c];
                    }
                }
            }
        }
    }
}
