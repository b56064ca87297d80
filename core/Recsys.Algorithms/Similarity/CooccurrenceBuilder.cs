using System.Runtime.CompilerServices;
using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Similarity;

/// <summary>Turns a sparse dot product of two item columns into a similarity.</summary>
internal interface ISimilarityTransform
{
    /// <summary>Similarity of item <paramref name="i"/> to <paramref name="j"/> from their (user-scaled) dot product.</summary>
    float Apply(int i, int j, float dot);
}

/// <summary>
/// Computes a sparse, top-K pruned item × item similarity without ever holding a dense items × items matrix:
/// for each item i (in parallel), <c>dot[j] = Σ_u v[u,i]·scale[u]·v[u,j]</c> is accumulated over the users of
/// i into a per-thread dense accumulator, transformed, filtered and reduced to the K best neighbours, which are
/// stored in ascending index order (CSR).
/// </summary>
internal static class CooccurrenceBuilder
{
    /// <summary>Builds the neighbour rows.</summary>
    /// <param name="values">Matrix whose weights are the v[u,i] (CSR and its CSC view are both used).</param>
    /// <param name="userScale">Optional per-user factor; null for 1.</param>
    /// <param name="transform">Maps the dot product to a similarity.</param>
    /// <param name="maxNeighbors">K: neighbours kept per item (best first, ties by ascending index).</param>
    /// <param name="includeSelf">Whether i is a candidate neighbour of itself.</param>
    /// <param name="minCount">Minimum number of common users for a pair to be kept (1 keeps every co-occurring pair).</param>
    /// <param name="maxDegreeOfParallelism">Threads; -1 for the default.</param>
    public static ItemSimilarityModel Build<T>(
        InteractionMatrix values,
        float[]? userScale,
        T transform,
        int maxNeighbors,
        bool includeSelf,
        int minCount,
        int maxDegreeOfParallelism)
        where T : struct, ISimilarityTransform
    {
        var n = values.ItemCount;
        var rows = new ScoredItem[n][];
        _ = values.ColumnOffsets; // build the column view once, before the parallel loop
        var options = TrainingScheduler.Shared.ParallelOptions(maxDegreeOfParallelism);
        Parallel.For(
            0,
            n,
            options,
            () => new Scratch(n, maxNeighbors),
            (i, _, scratch) =>
            {
                rows[i] = BuildRow(i, scratch, values, userScale, transform, maxNeighbors, includeSelf, minCount);
                return scratch;
            },
            _ => { });

        return ItemSimilarityModel.FromRows(rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ScoredItem[] BuildRow<T>(
        int i,
        Scratch s,
        InteractionMatrix values,
        float[]? userScale,
        T transform,
        int maxNeighbors,
        bool includeSelf,
        int minCount)
        where T : struct, ISimilarityTransform
    {
        var colOffsets = values.ColumnOffsetArray;
        var colUsers = values.UserIndexArray;
        var colWeights = values.ColumnWeightArray;
        var rowOffsets = values.RowOffsetArray;
        var rowItems = values.ItemIndexArray;
        var rowWeights = values.WeightArray;
        var dot = s.Dot;
        var count = s.Count;
        var stamps = s.Stamp;
        var touched = s.Touched;
        var counting = minCount > 1;
        var stamp = i + 1;
        var touchedCount = 0;
        for (var p = colOffsets[i]; p < colOffsets[i + 1]; p++)
        {
            var u = colUsers[p];
            var a = colWeights[p] * (userScale is null ? 1f : userScale[u]);
            for (var q = rowOffsets[u]; q < rowOffsets[u + 1]; q++)
            {
                var j = rowItems[q];
                if (stamps[j] != stamp)
                {
                    stamps[j] = stamp;
                    dot[j] = 0f;
                    count[j] = 0;
                    touched[touchedCount++] = j;
                }

                dot[j] += a * rowWeights[q];
                if (counting)
                {
                    count[j]++;
                }
            }
        }

        var kept = 0;
        for (var t = 0; t < touchedCount; t++)
        {
            var j = touched[t];
            if ((j == i && !includeSelf) || (counting && count[j] < minCount))
            {
                continue;
            }

            var sim = transform.Apply(i, j, dot[j]);
            if (float.IsNaN(sim))
            {
                continue;
            }

            dot[j] = sim;
            touched[kept++] = j;
        }

        return kept > maxNeighbors ? Prune(s, kept, maxNeighbors) : InIndexOrder(s, kept);
    }

    /// <summary>The K best of the kept candidates (bounded heap), then in ascending index order.</summary>
    private static ScoredItem[] Prune(Scratch s, int kept, int maxNeighbors)
    {
        var heap = s.Heap.AsSpan(0, maxNeighbors);
        var count = TopKSelector.SelectFrom(s.Touched.AsSpan(0, kept), s.Dot, heap);
        var items = s.Touched.AsSpan(0, count);
        for (var t = 0; t < count; t++)
        {
            items[t] = heap[t].Item;
        }

        return InIndexOrder(s, count);
    }

    private static ScoredItem[] InIndexOrder(Scratch s, int count)
    {
        var items = s.Touched.AsSpan(0, count);
        items.Sort();
        var row = new ScoredItem[count];
        for (var t = 0; t < count; t++)
        {
            row[t] = new ScoredItem(items[t], s.Dot[items[t]]);
        }

        return row;
    }

    private sealed class Scratch
    {
        public Scratch(int n, int maxNeighbors)
        {
            Dot = new float[n];
            Count = new int[n];
            Stamp = new int[n];
            Touched = new int[n];
            Heap = new ScoredItem[Math.Min(n, maxNeighbors)];
        }

        public float[] Dot { get; }

        public int[] Count { get; }

        public int[] Stamp { get; }

        public int[] Touched { get; }

        public ScoredItem[] Heap { get; }
    }
}
