using System.Buffers;
using System.Text;
using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Factorization;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Popularity;
using Recsys.Algorithms.Serialization;
using Recsys.Algorithms.Similarity;

namespace Recsys.Algorithms;

/// <summary>
/// A trained model that scores every item for a user given the user's history (item indices with weights), so
/// that events since training change the next recommendation without retraining.
/// </summary>
/// <remarks>
/// Recommendation lists are ordered by score descending and, on exactly equal scores, by ascending item index
/// (the protocol's tie rule when item indices follow ascending item ids). Models are immutable and thread-safe.
/// </remarks>
public abstract class RecommenderModel
{
    /// <summary>Version of the binary artifact layout written by <see cref="Save"/>.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "RSYSMODL"u8;

    private protected RecommenderModel()
    {
    }

    /// <summary>Number of items the model scores (the training matrix's columns).</summary>
    public abstract int ItemCount { get; }

    /// <summary>The type tag written in the artifact header.</summary>
    public abstract ModelKind Kind { get; }

    /// <summary>
    /// Writes a score for every item to <paramref name="scores"/> (length <see cref="ItemCount"/>).
    /// </summary>
    /// <param name="historyItems">The user's item indices (any order, no duplicates).</param>
    /// <param name="historyWeights">Their weights, aligned with <paramref name="historyItems"/>; empty means all 1.</param>
    /// <param name="scores">Receives one score per item.</param>
    public abstract void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores);

    /// <summary>
    /// The <paramref name="count"/> best items for a user with this history, best first; items of the history are
    /// left out when <paramref name="excludeHistory"/> is true.
    /// </summary>
    public ScoredItem[] Recommend(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, int count, bool excludeHistory = true)
    {
        // A catalogue-sized buffer per call would land on the large object heap, which only a full collection frees:
        // scoring thousands of users in a row (evaluation, batch jobs) then grows the heap by gigabytes. Pool it.
        var buffer = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            var scores = buffer.AsSpan(0, ItemCount);
            Score(historyItems, historyWeights, scores);
            return SelectTop(scores, historyItems, count, excludeHistory);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the model as a versioned binary artifact to <paramref name="stream"/> (left open).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((int)Kind);
        WriteBody(writer);
        writer.Flush();
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a model artifact of a known version and kind.</exception>
    public static RecommenderModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        Span<byte> magic = stackalloc byte[8];
        stream.ReadExactly(magic);
        if (!magic.SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a Recsys model artifact.");
        }

        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported model format version {version}; this build reads version {FormatVersion}.");
        }

        var kind = (ModelKind)reader.ReadInt32();
        return kind switch
        {
            ModelKind.Popularity => PopularityModel.ReadBody(reader),
            ModelKind.ItemSimilarity => ItemSimilarityModel.ReadBody(reader),
            ModelKind.Als => AlsModel.ReadBody(reader),
            ModelKind.Ease => EaseModel.ReadBody(reader),
            ModelKind.Blend => BlendModel.ReadBody(reader),
            ModelKind.ItemSubset => ItemSubsetModel.ReadBody(reader),
            _ => throw new InvalidDataException($"Unknown model kind {(int)kind}."),
        };
    }

    private protected abstract void WriteBody(BinaryWriter writer);

    private protected static ScoredItem[] SelectTop(Span<float> scores, ReadOnlySpan<int> exclude, int count, bool excludeHistory)
    {
        if (excludeHistory)
        {
            foreach (var item in exclude)
            {
                scores[item] = float.NaN;
            }
        }

        return TopKSelector.Select(scores, count);
    }

    private protected void CheckScoreArguments(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        if (scores.Length != ItemCount)
        {
            throw new ArgumentException($"scores must have length {ItemCount}.", nameof(scores));
        }

        if (!historyWeights.IsEmpty && historyWeights.Length != historyItems.Length)
        {
            throw new ArgumentException("historyWeights must be empty or as long as historyItems.", nameof(historyWeights));
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Model artifacts are little-endian.");
        }
    }
}
