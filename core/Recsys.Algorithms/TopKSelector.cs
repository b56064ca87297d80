using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recsys.Algorithms;

/// <summary>
/// Selects the k best items from a dense score vector with a bounded min-heap (O(n log k)). Order: score
/// descending; equal scores by ascending item index. NaN scores are never selected, so callers exclude items by
/// setting their score to <see cref="float.NaN"/>.
/// </summary>
public static class TopKSelector
{
    /// <summary>The top <paramref name="k"/> items of <paramref name="scores"/>, best first.</summary>
    public static ScoredItem[] Select(ReadOnlySpan<float> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var heap = new ScoredItem[Math.Min(k, scores.Length)];
        var count = Select(scores, heap);
        return count == heap.Length ? heap : heap.AsSpan(0, count).ToArray();
    }

    /// <summary>
    /// Writes the top <c>destination.Length</c> items of <paramref name="scores"/> to <paramref name="destination"/>,
    /// best first, and returns how many were written (fewer when fewer non-NaN scores exist).
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, Span<ScoredItem> destination)
    {
        var k = destination.Length;
        if (k == 0)
        {
            return 0;
        }

        // Min-heap whose root is the worst kept item: lowest score, and on equal scores the largest index.
        // Items arrive in ascending index order, so a newcomer only beats the root with a strictly higher score.
        var heap = destination;
        var size = 0;
        var i = 0;
        for (; i < scores.Length && size < k; i++)
        {
            if (!float.IsNaN(scores[i]))
            {
                heap[size] = new ScoredItem(i, scores[i]);
                SiftUp(heap, size);
                size++;
            }
        }

        // Once the heap is full most scores lose to its root: test eight at a time (NaN never compares greater),
        // and look at each only in a block where one wins.
        var width = Vector256<float>.Count;
        if (Vector256.IsHardwareAccelerated && size == k)
        {
            ref var first = ref MemoryMarshal.GetReference(scores);
            for (; i <= scores.Length - width; i += width)
            {
                if (Vector256.GreaterThanAny(Vector256.LoadUnsafe(ref first, (nuint)i), Vector256.Create(heap[0].Score)))
                {
                    for (var j = i; j < i + width; j++)
                    {
                        Offer(heap, j, scores[j], size);
                    }
                }
            }
        }

        for (; i < scores.Length; i++)
        {
            Offer(heap, i, scores[i], size);
        }

        // Heap sort in place: repeatedly move the worst to the end.
        for (var end = size - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap, 0, end);
        }

        return size;
    }

    /// <summary>
    /// Like <see cref="Select(ReadOnlySpan{float}, Span{ScoredItem})"/> over the candidate indices only, which may
    /// come in any order; <paramref name="scores"/> is indexed by item.
    /// </summary>
    internal static int SelectFrom(ReadOnlySpan<int> candidates, ReadOnlySpan<float> scores, Span<ScoredItem> destination)
    {
        var k = destination.Length;
        if (k == 0)
        {
            return 0;
        }

        var heap = destination;
        var size = 0;
        foreach (var i in candidates)
        {
            var item = new ScoredItem(i, scores[i]);
            if (float.IsNaN(item.Score))
            {
                continue;
            }

            if (size < k)
            {
                heap[size] = item;
                SiftUp(heap, size);
                size++;
            }
            else if (Worse(heap[0], item))
            {
                heap[0] = item;
                SiftDown(heap, 0, size);
            }
        }

        for (var end = size - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap, 0, end);
        }

        return size;
    }

    /// <summary>Puts item <paramref name="i"/> in the full heap when it beats the root (a later item must score strictly higher).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(Span<ScoredItem> heap, int i, float score, int size)
    {
        if (score > heap[0].Score)
        {
            heap[0] = new ScoredItem(i, score);
            SiftDown(heap, 0, size);
        }
    }

    private static bool Worse(in ScoredItem a, in ScoredItem b) => a.Score < b.Score || (a.Score == b.Score && a.Item > b.Item);

    private static void SiftUp(Span<ScoredItem> heap, int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (!Worse(heap[index], heap[parent]))
            {
                break;
            }

            (heap[index], heap[parent]) = (heap[parent], heap[index]);
            index = parent;
        }
    }

    private static void SiftDown(Span<ScoredItem> heap, int index, int size)
    {
        while (true)
        {
            var left = (2 * index) + 1;
            if (left >= size)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < size && Worse(heap[right], heap[left]))
            {
                worst = right;
            }

            if (!Worse(heap[worst], heap[index]))
            {
                return;
            }

            (heap[index], heap[worst]) = (heap[worst], heap[index]);
            index = worst;
        }
    }
}
