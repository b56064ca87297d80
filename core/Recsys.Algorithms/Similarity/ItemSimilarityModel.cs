using Recsys.Algorithms.Serialization;

namespace Recsys.Algorithms.Similarity;

/// <summary>
/// A sparse item × item similarity, top-K pruned per item, stored as one neighbour row per item (CSR, neighbours
/// in ascending index order).
/// A user's score of item j is <c>Σ_{i in history} w_i · sim[i, j]</c>.
/// </summary>
public sealed class ItemSimilarityModel : RecommenderModel
{
    private readonly int[] _offsets;
    private readonly int[] _neighbors;
    private readonly float[] _similarities;

    private ItemSimilarityModel(int[] offsets, int[] neighbors, float[] similarities)
    {
        _offsets = offsets;
        _neighbors = neighbors;
        _similarities = similarities;
    }

    /// <inheritdoc />
    public override int ItemCount => _offsets.Length - 1;

    /// <inheritdoc />
    public override ModelKind Kind => ModelKind.ItemSimilarity;

    /// <summary>Total number of stored (item, neighbour) pairs.</summary>
    public int PairCount => _neighbors.Length;

    /// <summary>The neighbours of <paramref name="item"/>, in ascending index order.</summary>
    public ReadOnlySpan<int> Neighbors(int item) => _neighbors.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);

    /// <summary>The similarities aligned with <see cref="Neighbors"/>.</summary>
    public ReadOnlySpan<float> Similarities(int item) => _similarities.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);

    /// <summary>
    /// The <paramref name="count"/> most similar items to <paramref name="item"/> (itself left out), by similarity
    /// descending then ascending index.
    /// </summary>
    public ScoredItem[] SimilarItems(int item, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var neighbors = Neighbors(item);
        var similarities = Similarities(item).ToArray();
        var self = neighbors.IndexOf(item);
        if (self >= 0)
        {
            similarities[self] = float.NaN;
        }

        // Positions are in ascending item order, so the selector's tie rule carries over to item indices.
        var top = TopKSelector.Select(similarities, count);
        for (var t = 0; t < top.Length; t++)
        {
            top[t] = top[t] with { Item = neighbors[top[t].Item] };
        }

        return top;
    }

    /// <inheritdoc />
    public override void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        CheckScoreArguments(historyItems, historyWeights, scores);
        scores.Clear();
        for (var h = 0; h < historyItems.Length; h++)
        {
            var i = historyItems[h];
            var w = historyWeights.IsEmpty ? 1f : historyWeights[h];
            var start = _offsets[i];
            var end = _offsets[i + 1];
            for (var p = start; p < end; p++)
            {
                scores[_neighbors[p]] += w * _similarities[p];
            }
        }
    }

    internal static ItemSimilarityModel FromRows(ScoredItem[][] rows)
    {
        var offsets = new int[rows.Length + 1];
        for (var i = 0; i < rows.Length; i++)
        {
            offsets[i + 1] = offsets[i] + rows[i].Length;
        }

        var neighbors = new int[offsets[^1]];
        var similarities = new float[offsets[^1]];
        for (var i = 0; i < rows.Length; i++)
        {
            var p = offsets[i];
            foreach (var entry in rows[i])
            {
                neighbors[p] = entry.Item;
                similarities[p] = entry.Score;
                p++;
            }
        }

        return new ItemSimilarityModel(offsets, neighbors, similarities);
    }

    internal static ItemSimilarityModel ReadBody(BinaryReader reader)
    {
        var offsets = BinaryArrays.Read<int>(reader);
        var neighbors = BinaryArrays.Read<int>(reader);
        var similarities = BinaryArrays.Read<float>(reader);
        if (offsets.Length == 0 || offsets[^1] != neighbors.Length || similarities.Length != neighbors.Length)
        {
            throw new InvalidDataException("Inconsistent item-similarity artifact.");
        }

        return new ItemSimilarityModel(offsets, neighbors, similarities);
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        BinaryArrays.Write<int>(writer, _offsets);
        BinaryArrays.Write<int>(writer, _neighbors);
        BinaryArrays.Write<float>(writer, _similarities);
    }
}
