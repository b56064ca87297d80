using Recsys.Algorithms.Numerics;
using Recsys.Algorithms.Serialization;

namespace Recsys.Algorithms.Linear;

/// <summary>
/// A dense item × item weight matrix B with zero diagonal (EASE); a user's score is <c>Σ_{i in history} w_i·B[i, :]</c>.
/// </summary>
public sealed class EaseModel : RecommenderModel
{
    private readonly int _itemCount;
    private readonly float[] _weights;

    internal EaseModel(int itemCount, float[] weights)
    {
        _itemCount = itemCount;
        _weights = weights;
    }

    /// <inheritdoc />
    public override int ItemCount => _itemCount;

    /// <inheritdoc />
    public override ModelKind Kind => ModelKind.Ease;

    /// <summary>Row <paramref name="item"/> of B: how much an interaction with the item adds to every item's score.</summary>
    public ReadOnlySpan<float> Row(int item) => _weights.AsSpan(item * _itemCount, _itemCount);

    /// <inheritdoc />
    public override void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        CheckScoreArguments(historyItems, historyWeights, scores);
        scores.Clear();
        for (var h = 0; h < historyItems.Length; h++)
        {
            VectorKernels.Axpy(historyWeights.IsEmpty ? 1f : historyWeights[h], Row(historyItems[h]), scores);
        }
    }

    internal static EaseModel ReadBody(BinaryReader reader)
    {
        var n = reader.ReadInt32();
        var weights = BinaryArrays.Read<float>(reader);
        if (n < 0 || weights.LongLength != (long)n * n)
        {
            throw new InvalidDataException("Inconsistent EASE artifact.");
        }

        return new EaseModel(n, weights);
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        writer.Write(_itemCount);
        BinaryArrays.Write<float>(writer, _weights);
    }
}
