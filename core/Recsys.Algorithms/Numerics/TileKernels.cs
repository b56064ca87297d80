using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recsys.Algorithms.Numerics;

/// <summary>The vector width a register-tiled kernel runs with.</summary>
internal enum KernelWidth
{
    /// <summary>Plain scalar arithmetic: the reference the vector paths are tested against.</summary>
    Scalar = 0,

    /// <summary><see cref="Vector256{T}"/>: 8 floats a register (AVX2 + FMA).</summary>
    Vector256 = 1,

    /// <summary><see cref="Vector512{T}"/>: 16 floats a register (AVX-512).</summary>
    Vector512 = 2,
}

/// <summary>
/// The register-tiled micro-kernel of the dense float32 updates: a tile of <see cref="Rows"/> rows × <c>Columns</c>
/// columns of C receives Σ_t a[t, r]·b[t, c] over k steps, where the left operand is packed by groups of
/// <see cref="Rows"/> rows (k-major: <c>a[t·Rows + r]</c>) and the right one in strips of <c>Columns</c> columns
/// (<c>b[t·Columns + c]</c>). The 6 × 16 (Vector256) and 6 × 32 (Vector512) tiles keep 12 accumulators in registers
/// and load each packed value once per tile, so the update runs at close to the FMA units' rate instead of the
/// memory's.
/// </summary>
internal static class TileKernels
{
    /// <summary>Rows of a tile (and of a packed left-operand group).</summary>
    public const int Rows = 6;

    /// <summary>The fastest width this machine runs: 512-bit where accelerated, else 256-bit, else scalar.</summary>
    public static KernelWidth Best =>
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? KernelWidth.Vector256
        : KernelWidth.Scalar;

    /// <summary>Columns of a tile (and of a packed right-operand strip) at a width: two vectors.</summary>
    public static int Columns(KernelWidth width) => width == KernelWidth.Vector512 ? 32 : 16;

    /// <summary>
    /// C[r, c] = Σ_t a[t·Rows + r]·b[t·cols + c] (<paramref name="subtract"/> false) or C[r, c] −= that sum, for the
    /// full <see cref="Rows"/> × cols tile at <paramref name="c"/> with row stride <paramref name="ldc"/>.
    /// </summary>
    public static void Tile(KernelWidth width, ref float a, ref float b, int k, ref float c, nint ldc, bool subtract)
    {
        switch (width)
        {
            case KernelWidth.Vector512:
                Tile512(ref a, ref b, k, ref c, ldc, subtract);
                break;
            case KernelWidth.Vector256:
                Tile256(ref a, ref b, k, ref c, ldc, subtract);
                break;
            default:
                TileScalar(ref a, ref b, k, Columns(width), ref c, ldc, subtract);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile256(ref float a, ref float b, int k, ref float c, nint ldc, bool subtract)
    {
        PrefetchTile(ref c, ldc, 64);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var t = 0; t < k; t++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 8);
            var x = Vector256.Create(a);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, Rows);
            b = ref Unsafe.Add(ref b, 16);
        }

        Store256(ref c, c00, c01, subtract);
        Store256(ref Unsafe.Add(ref c, ldc), c10, c11, subtract);
        Store256(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, subtract);
        Store256(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, subtract);
        Store256(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, subtract);
        Store256(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, subtract);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(ref float c, Vector256<float> low, Vector256<float> high, bool subtract)
    {
        if (subtract)
        {
            low = Vector256.LoadUnsafe(ref c) - low;
            high = Vector256.LoadUnsafe(ref c, 8) - high;
        }

        low.StoreUnsafe(ref c);
        high.StoreUnsafe(ref c, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512(ref float a, ref float b, int k, ref float c, nint ldc, bool subtract)
    {
        PrefetchTile(ref c, ldc, 128);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var t = 0; t < k; t++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 16);
            var x = Vector512.Create(a);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref a, 4));
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a, 5));
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, Rows);
            b = ref Unsafe.Add(ref b, 32);
        }

        Store512(ref c, c00, c01, subtract);
        Store512(ref Unsafe.Add(ref c, ldc), c10, c11, subtract);
        Store512(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, subtract);
        Store512(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, subtract);
        Store512(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, subtract);
        Store512(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, subtract);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(ref float c, Vector512<float> low, Vector512<float> high, bool subtract)
    {
        if (subtract)
        {
            low = Vector512.LoadUnsafe(ref c) - low;
            high = Vector512.LoadUnsafe(ref c, 16) - high;
        }

        low.StoreUnsafe(ref c);
        high.StoreUnsafe(ref c, 16);
    }

    /// <summary>
    /// Asks for the tile of C before the k-loop, which hides the cache misses of its rows (n floats apart, a stride
    /// the hardware prefetchers do not follow) behind the loop's arithmetic. A prefetch never faults, so the raw
    /// address of a managed (large, unmoved) array is safe here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchTile(ref float c, nint ldc, int rowBytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var r = 0; r < Rows; r++)
        {
            var row = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref c, r * ldc));
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + rowBytes - 1);
        }
    }

    private static void TileScalar(ref float a, ref float b, int k, int cols, ref float c, nint ldc, bool subtract)
    {
        for (var r = 0; r < Rows; r++)
        {
            for (var j = 0; j < cols; j++)
            {
                var s = 0f;
                for (var t = 0; t < k; t++)
                {
                    s += Unsafe.Add(ref a, (t * Rows) + r) * Unsafe.Add(ref b, (t * cols) + j);
                }

                ref var target = ref Unsafe.Add(ref c, (r * ldc) + j);
                target = subtract ? target - s : s;
            }
        }
    }
}
