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
    /// <param name="maxDegreeOfParallelism">Threads, at most <see cref="TrainingScheduler.MaxDegreeOfParallelism"/>; -1 for that bound.</param>
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

        // Within training's bound: its own threads, never the thread pool that serves requests.
        var degree = TrainingScheduler.Shared.ParallelOptions(maxDegreeOfParallelism).MaxDegreeOfParallelism;
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

            // −S_KK⁻¹ in float64 (b³ flops, negligible next to b·n²) from the block's lower triangle, packed by groups
            // of Mr rows as the left operand of W = S_KK⁻¹·R.
            for (var t = 0; t < b; t++)
            {
                for (var s = 0; s <= t; s++)
                {
                    pivots[(t * b) + s] = pivots[(s * b) + t] = a[((long)(k0 + t) * n) + k0 + s];
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

            // Two parallel passes a step, each ending in a barrier (slow to cross when the machine is busy): pack
            // both operands and form W strip by strip, then update and write back, heaviest row ranges first.
            RunDynamic(strips + groups, degree, item =>
            {
                if (item < strips)
                {
                    step.PackRowStrip(item);
                    step.MultiplyStrip(item, pivotsPacked, bPad);
                }
                else
                {
                    step.PackTransposedGroup(item - strips);
                }
            });
            var tasks = (groups + GroupsPerTask - 1) / GroupsPerTask;
            RunDynamic(tasks, degree, item =>
            {
                var g0 = (tasks - 1 - item) * GroupsPerTask;
                var g1 = Math.Min(groups, g0 + GroupsPerTask);
                step.UpdateGroups(g0, g1, bPad);
                step.WriteSweptRows(g0 * Mr, Math.Min(n, g1 * Mr), bPad, pivots);
            });
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
        Parallel.For(0, tiles, TrainingScheduler.Shared.ParallelOptions(maxDegreeOfParallelism), ti =>
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

    /// <summary>
    /// Runs body(0 … count − 1) on <paramref name="degree"/> threads that take one item at a time, so a thread the
    /// scheduler pauses holds up at most one item at the barrier.
    /// </summary>
    private static void RunDynamic(int count, int degree, Action<int> body)
    {
        var next = -1;
        Parallel.For(0, Math.Min(degree, count), TrainingScheduler.Shared.ParallelOptions(degree), _ =>
        {
            int item;
            while ((item = Interlocked.Increment(ref next)) < count)
            {
                body(item);
            }
        });
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

        /// <summary>Group g of Rᵀ (Mr rows × b, k-major, zero beyond row n): R[t, j] for the group's rows j.</summary>
        public void PackTransposedGroup(int g)
        {
            var target = rowsT.AsSpan(g * b * Mr, b * Mr);
            var j0 = g * Mr;
            var count = Math.Min(Mr, n - j0);
            if (count < Mr)
            {
                target.Clear();
            }

            if (j0 + count <= k0)
            {
                // Left of the block: S[k0 + t, j0 ..] is a contiguous piece of row k0 + t.
                for (var t = 0; t < b; t++)
                {
                    a.AsSpan((int)((long)(k0 + t) * n) + j0, count).CopyTo(target.Slice(t * Mr, count));
                }

                return;
            }

            for (var r = 0; r < count; r++)
            {
                var j = j0 + r;
                if (j >= k0 + b)
                {
                    var source = a.AsSpan((int)((long)j * n) + k0, b);
                    for (var t = 0; t < b; t++)
                    {
                        target[(t * Mr) + r] = source[t];
                    }
                }
                else
                {
                    for (var t = 0; t < b; t++)
                    {
                        var i = k0 + t;
                        target[(t * Mr) + r] = j <= i ? a[((long)i * n) + j] : a[((long)j * n) + i];
                    }
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
        /// Writes the swept block's rows and columns where the lower triangle keeps them, for rows [i0, i1) (so the
        /// task that updated those rows overwrites what the update left there): S[i, K] = W[:, i]ᵀ in row i below the
        /// block; in rows K, S[K, j] = W[:, j] left of the block and −S_KK⁻¹ on the block itself.
        /// </summary>
        public void WriteSweptRows(int i0, int i1, int bPad, double[] sweptBlock)
        {
            for (var i = Math.Max(i0, k0); i < i1; i++)
            {
                var row = a.AsSpan((int)((long)i * n), n);
                if (i >= k0 + b)
                {
                    var source = products.AsSpan(((i / nr) * bPad * nr) + (i % nr));
                    for (var t = 0; t < b; t++)
                    {
                        row[k0 + t] = source[t * nr];
                    }

                    continue;
                }

                var u = i - k0;
                for (var j0 = 0; j0 < k0; j0 += nr)
                {
                    var count = Math.Min(nr, k0 - j0);
                    products.AsSpan(((j0 / nr) * bPad * nr) + (u * nr), count).CopyTo(row.Slice(j0, count));
                }

                for (var s = 0; s <= u; s++)
                {
                    row[k0 + s] = (float)sweptBlock[(u * b) + s];
                }
            }
        }
    }
}
