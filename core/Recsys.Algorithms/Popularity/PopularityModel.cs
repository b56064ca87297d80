using Recsys.Algorithms.Serialization;

namespace Recsys.Algorithms.Popularity;

/// <summary>A model that gives every user the same per-item score (a popularity count or a trend score).</summary>
public sealed class PopularityModel : RecommenderModel
{
    private readonly float[] _itemScores;

    /// <summary>Creates a model from one score per item (the array is copied).</summary>
    public PopularityModel(ReadOnlySpan<float> itemScores)
    {
        _itemScores = itemScores.ToArray();
    }

    private PopularityModel(float[] itemScores, bool _)
    {
        _itemScores = itemScores;
    }

    /// <inheritdoc />
    public override int ItemCount => _itemScores.Length;

    /// <inheritdoc />
    public override ModelKind Kind => ModelKind.Popularity;

    /// <summary>The score of every item.</summary>
    public ReadOnlySpan<float> ItemScores => _itemScores;

    /// <inheritdoc />
    public override void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        CheckScoreArguments(historyItems, historyWeights, scores);
        _itemScores.CopyTo(scores);
    }

    internal static PopularityModel ReadBody(BinaryReader reader) => new(BinaryArrays.Read<float>(reader), true);

    private protected override void WriteBody(BinaryWriter writer) => BinaryArrays.Write<float>(writer, _itemScores);
}
