using System.Buffers;
using Recsys.Algorithms.Serialization;

namespace Recsys.Algorithms.Ensemble;

/// <summary>
/// A model trained on a subset of the catalogue's items (e.g. the head of the popularity curve), scoring the whole
/// catalogue: history items outside the subset are ignored, and items outside it score 0. Blended with a model of
/// the whole catalogue, the other items are ranked by that model alone.
/// </summary>
public sealed class ItemSubsetModel : RecommenderModel
{
    private readonly RecommenderModel _inner;
    private readonly int[] _items;
    private readonly int[] _position;

    /// <summary>Wraps <paramref name="inner"/>, whose item k is catalogue item <c>items[k]</c>.</summary>
    /// <param name="inner">The model of the subset.</param>
    /// <param name="items">Catalogue indices of the subset's items, strictly ascending; as many as the inner model's items.</param>
    /// <param name="itemCount">Items in the catalogue.</param>
    /// <exception cref="ArgumentException">The items do not match the inner model or the catalogue.</exception>
    public ItemSubsetModel(RecommenderModel inner, IReadOnlyList<int> items, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count != inner.ItemCount)
        {
            throw new ArgumentException("The inner model must have one item per subset item.", nameof(items));
        }

        _inner = inner;
        _items = [.. items];
        _position = new int[itemCount];
        Array.Fill(_position, -1);
        for (var k = 0; k < _items.Length; k++)
        {
            if ((uint)_items[k] >= (uint)itemCount || (k > 0 && _items[k] <= _items[k - 1]))
            {
                throw new ArgumentException($"Subset items must be strictly ascending within [0, {itemCount}).", nameof(items));
            }

            _position[_items[k]] = k;
        }
    }

    /// <inheritdoc />
    public override int ItemCount => _position.Length;

    /// <inheritdoc />
    public override ModelKind Kind => ModelKind.ItemSubset;

    /// <summary>The model of the subset.</summary>
    public RecommenderModel Inner => _inner;

    /// <summary>Catalogue indices of the subset's items, ascending.</summary>
    public IReadOnlyList<int> Items => _items;

    /// <inheritdoc />
    public override void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        CheckScoreArguments(historyItems, historyWeights, scores);
        var items = new List<int>(historyItems.Length);
        var weights = new List<float>(historyItems.Length);
        for (var h = 0; h < historyItems.Length; h++)
        {
            var k = _position[historyItems[h]];
            if (k >= 0)
            {
                items.Add(k);
                weights.Add(historyWeights.IsEmpty ? 1f : historyWeights[h]);
            }
        }

        var buffer = ArrayPool<float>.Shared.Rent(_items.Length);
        try
        {
            var inner = buffer.AsSpan(0, _items.Length);
            inner.Clear();
            if (items.Count > 0)
            {
                _inner.Score(items.ToArray(), weights.ToArray(), inner);
            }

            scores.Clear();
            for (var k = 0; k < _items.Length; k++)
            {
                scores[_items[k]] = inner[k];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    internal static ItemSubsetModel ReadBody(BinaryReader reader)
    {
        var itemCount = reader.ReadInt32();
        var items = BinaryArrays.Read<int>(reader);
        var inner = Load(reader.BaseStream);
        return new ItemSubsetModel(inner, items, itemCount);
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        writer.Write(ItemCount);
        BinaryArrays.Write<int>(writer, _items);
        writer.Flush();
        _inner.Save(writer.BaseStream);
    }
}
