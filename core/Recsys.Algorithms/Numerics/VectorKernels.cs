using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recsys.Algorithms.Numerics;

/// <summary>
/// The hot numeric kernels: dot products and axpy on float32 and float64 spans, with a <see cref="Vector256"/>
/// path and a scalar fallback (the <c>…Scalar</c> methods) that tests compare the vector path against.
/// </summary>
internal static class VectorKernels
{
    /// <summary>Σ x[i]·y[i] over the common length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = Math.Min(x.Length, y.Length);
        if (!Vector256.IsHardwareAccelerated || n < Vector256<float>.Count)
        {
            return DotScalar(x, y);
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var i = 0;
        for (; i <= n - (2 * Vector256<float>.Count); i += 2 * Vector256<float>.Count)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), acc0);
            acc1 = Vector256.FusedMultiplyAdd(
                Vector256.LoadUnsafe(ref xr, (nuint)(i + Vector256<float>.Count)),
                Vector256.LoadUnsafe(ref yr, (nuint)(i + Vector256<float>.Count)),
                acc1);
        }

        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), acc0);
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref xr, i) * Unsafe.Add(ref yr, i);
        }

        return sum;
    }

    /// <summary>
    /// results[r] = Dot(rows[r·k .. r·k + k], x) for every row of the row-major matrix <paramref name="rows"/>
    /// (k = x.Length), bit-identical to calling <see cref="Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per row:
    /// each row keeps its own accumulators in the same order, but four rows share every load of <paramref name="x"/>
    /// and their dependency chains overlap, which is several times faster than one row at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(ReadOnlySpan<float> rows, ReadOnlySpan<float> x, Span<float> results)
    {
        var k = x.Length;
        if (rows.Length < (long)results.Length * k)
        {
            throw new ArgumentException("rows is shorter than results.Length × x.Length.", nameof(rows));
        }

        var r = 0;
        var width = Vector256<float>.Count;
        if (Vector256.IsHardwareAccelerated && k >= 2 * width && k % (2 * width) == 0)
        {
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var m = ref MemoryMarshal.GetReference(rows);
            for (; r <= results.Length - 4; r += 4)
            {
                ref var m0 = ref Unsafe.Add(ref m, (nint)r * k);
                ref var m1 = ref Unsafe.Add(ref m0, k);
                ref var m2 = ref Unsafe.Add(ref m1, k);
                ref var m3 = ref Unsafe.Add(ref m2, k);
                Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
                for (var i = 0; i < k; i += 2 * width)
                {
                    var xa = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var xb = Vector256.LoadUnsafe(ref xr, (nuint)(i + width));
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m0, (nuint)i), xa, a0);
                    b0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m0, (nuint)(i + width)), xb, b0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m1, (nuint)i), xa, a1);
                    b1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m1, (nuint)(i + width)), xb, b1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m2, (nuint)i), xa, a2);
                    b2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m2, (nuint)(i + width)), xb, b2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m3, (nuint)i), xa, a3);
                    b3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m3, (nuint)(i + width)), xb, b3);
                }

                results[r] = Vector256.Sum(a0 + b0);
                results[r + 1] = Vector256.Sum(a1 + b1);
                results[r + 2] = Vector256.Sum(a2 + b2);
                results[r + 3] = Vector256.Sum(a3 + b3);
            }
        }

        for (; r < results.Length; r++)
        {
            results[r] = Dot(rows.Slice(r * k, k), x);
        }
    }

    /// <summary>Scalar reference for <see cref="Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    public static float DotScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = Math.Min(x.Length, y.Length);
        var sum = 0f;
        for (var i = 0; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>y[i] += a·x[i] over y's length (x at least as long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        var n = y.Length;
        if (x.Length < n)
        {
            throw new ArgumentException("x is shorter than y.", nameof(x));
        }

        if (!Vector256.IsHardwareAccelerated || n < Vector256<float>.Count)
        {
            AxpyScalar(a, x, y);
            return;
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var va = Vector256.Create(a);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref yr, i) += a * Unsafe.Add(ref xr, i);
        }
    }

    /// <summary>Scalar reference for <see cref="Axpy(float, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void AxpyScalar(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>
    /// y = A·x for a dense row-major symmetric k × k matrix A (k = x.Length), computed as Σ_c x[c]·A[c, :] so that
    /// every step is a contiguous axpy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SymmetricMatVec(ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y)
    {
        var k = x.Length;
        y[..k].Clear();
        for (var c = 0; c < k; c++)
        {
            Axpy(x[c], a.Slice(c * k, k), y[..k]);
        }
    }

    /// <summary>Scalar reference for <see cref="SymmetricMatVec"/> (row dot products).</summary>
    public static void MatVecScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y)
    {
        var k = x.Length;
        for (var r = 0; r < k; r++)
        {
            y[r] = DotScalar(a.Slice(r * k, k), x);
        }
    }

    /// <summary>Σ x[i]·y[i] in float64 over the common length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = Math.Min(x.Length, y.Length);
        if (!Vector256.IsHardwareAccelerated || n < Vector256<double>.Count)
        {
            return DotScalar(x, y);
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        var i = 0;
        for (; i <= n - (2 * Vector256<double>.Count); i += 2 * Vector256<double>.Count)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), acc0);
            acc1 = Vector256.FusedMultiplyAdd(
                Vector256.LoadUnsafe(ref xr, (nuint)(i + Vector256<double>.Count)),
                Vector256.LoadUnsafe(ref yr, (nuint)(i + Vector256<double>.Count)),
                acc1);
        }

        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), acc0);
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref xr, i) * Unsafe.Add(ref yr, i);
        }

        return sum;
    }

    /// <summary>Scalar reference for <see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>.</summary>
    public static double DotScalar(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = Math.Min(x.Length, y.Length);
        var sum = 0d;
        for (var i = 0; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>y[i] += a·x[i] in float64 over y's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        var n = y.Length;
        if (x.Length < n)
        {
            throw new ArgumentException("x is shorter than y.", nameof(x));
        }

        if (!Vector256.IsHardwareAccelerated || n < Vector256<double>.Count)
        {
            AxpyScalar(a, x, y);
            return;
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var va = Vector256.Create(a);
        var i = 0;
        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref yr, i) += a * Unsafe.Add(ref xr, i);
        }
    }

    /// <summary>Scalar reference for <see cref="Axpy(double, ReadOnlySpan{double}, Span{double})"/>.</summary>
    public static void AxpyScalar(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
