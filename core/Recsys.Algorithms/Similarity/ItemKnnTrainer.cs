using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Similarity;

/// <summary>
/// Item-kNN with the semantics of the <c>implicit</c> library's cosine and BM25 recommenders: each item keeps its K
/// most similar items (itself included), and a user's score of j is <c>Σ_{i in history} w_i · sim_K[i, j]</c>.
/// </summary>
public sealed class ItemKnnTrainer
{
    private readonly ItemKnnOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ItemKnnTrainer(ItemKnnOptions? options = null)
    {
        _options = options ?? new ItemKnnOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Neighbors, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.K1, nameof(options));
        if (_options.B is < 0f or > 1f || float.IsNaN(_options.B))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "B must be in [0, 1].");
        }
    }

    /// <summary>Builds the top-K similarity rows.</summary>
    public ItemSimilarityModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var weighted = _options.Weighting == ItemKnnWeighting.Bm25 ? Bm25(interactions) : Cosine(interactions);
        return CooccurrenceBuilder.Build(
            weighted,
            null,
            default(DotTransform),
            _options.Neighbors,
            includeSelf: true,
            minCount: 1,
            _options.MaxDegreeOfParallelism);
    }

    private static InteractionMatrix Cosine(InteractionMatrix x)
    {
        var norms = new double[x.ItemCount];
        var items = x.ItemIndices;
        var weights = x.Weights;
        for (var p = 0; p < items.Length; p++)
        {
            norms[items[p]] += (double)weights[p] * weights[p];
        }

        var inverse = new float[norms.Length];
        for (var i = 0; i < norms.Length; i++)
        {
            inverse[i] = norms[i] > 0 ? (float)(1 / Math.Sqrt(norms[i])) : 0f;
        }

        var itemArray = x.ItemIndexArray;
        return x.WithWeights((w, p) => w * inverse[itemArray[p]]);
    }

    private InteractionMatrix Bm25(InteractionMatrix x)
    {
        var k1 = _options.K1;
        var b = _options.B;
        var itemSums = new double[x.ItemCount];
        var items = x.ItemIndices;
        var weights = x.Weights;
        var total = 0d;
        for (var p = 0; p < items.Length; p++)
        {
            itemSums[items[p]] += weights[p];
            total += weights[p];
        }

        var meanLength = x.ItemCount == 0 ? 1d : total / x.ItemCount;
        var lengthNorm = new double[x.ItemCount];
        for (var i = 0; i < lengthNorm.Length; i++)
        {
            lengthNorm[i] = (1 - b) + (b * itemSums[i] / meanLength);
        }

        var logItems = Math.Log(x.ItemCount);
        var result = new float[x.NonZeroCount];
        for (var u = 0; u < x.UserCount; u++)
        {
            var idf = logItems - Math.Log(1 + x.RowLength(u));
            var start = x.RowOffsets[u];
            var rowItems = x.RowItems(u);
            var rowWeights = x.RowWeights(u);
            for (var q = 0; q < rowItems.Length; q++)
            {
                double w = rowWeights[q];
                result[start + q] = (float)(w * (k1 + 1) / ((k1 * lengthNorm[rowItems[q]]) + w) * idf);
            }
        }

        return x.WithWeights((_, p) => result[p]);
    }

    private readonly struct DotTransform : ISimilarityTransform
    {
        public float Apply(int i, int j, float dot) => dot;
    }
}
