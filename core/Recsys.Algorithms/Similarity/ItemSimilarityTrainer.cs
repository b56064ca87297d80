using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Similarity;

/// <summary>
/// Trains a SAR-like item-item model from co-occurrence counts on the binarized matrix (a cell counts once,
/// whatever its weight). At scoring time the user's history weights play the role of SAR's affinities.
/// The item itself is not its own neighbour.
/// </summary>
public sealed class ItemSimilarityTrainer
{
    private readonly ItemSimilarityOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ItemSimilarityTrainer(ItemSimilarityOptions? options = null)
    {
        _options = options ?? new ItemSimilarityOptions();
        if (_options.PopularityDiscountFactor is < 0f or > 1f || float.IsNaN(_options.PopularityDiscountFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "PopularityDiscountFactor must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MinCointeractionCount, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxNeighbors, nameof(options));
        if (!Enum.IsDefined(_options.Similarity))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Unknown similarity kind.");
        }
    }

    /// <summary>Builds the top-K similarity rows.</summary>
    public ItemSimilarityModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var binary = interactions.WithWeights(static (w, _) => w > 0f ? 1f : 0f);
        var counts = new float[binary.ItemCount];
        var discount = new float[binary.ItemCount];
        var items = binary.ItemIndices;
        var weights = binary.Weights;
        for (var p = 0; p < items.Length; p++)
        {
            counts[items[p]] += weights[p];
        }

        for (var i = 0; i < counts.Length; i++)
        {
            discount[i] = _options.PopularityDiscountFactor == 0f || counts[i] == 0f ? 1f : MathF.Pow(counts[i], -_options.PopularityDiscountFactor);
        }

        var transform = new CountTransform(_options.Similarity, counts, discount);
        return CooccurrenceBuilder.Build(
            binary,
            null,
            transform,
            _options.MaxNeighbors,
            includeSelf: false,
            _options.MinCointeractionCount,
            _options.MaxDegreeOfParallelism);
    }

    private readonly struct CountTransform(SimilarityKind kind, float[] counts, float[] discount) : ISimilarityTransform
    {
        public float Apply(int i, int j, float dot)
        {
            if (dot <= 0f)
            {
                return float.NaN;
            }

            var s = kind switch
            {
                SimilarityKind.Jaccard => dot / (counts[i] + counts[j] - dot),
                SimilarityKind.Lift => dot / (counts[i] * counts[j]),
                SimilarityKind.Cosine => dot / MathF.Sqrt(counts[i] * counts[j]),
                _ => dot,
            };
            return s * discount[j];
        }
    }
}
