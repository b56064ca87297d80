using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Similarity;

/// <summary>
/// RP3beta (Paudel et al. 2017; Dacrema et al. 2019): a three-step random walk item → user → item on the binarized
/// matrix, <c>W[i, j] = Σ_u (1 / n_i)^α (1 / |I_u|)^α / n_j^β</c>, top-K pruned per item (itself left out).
/// </summary>
public sealed class Rp3BetaTrainer
{
    private readonly Rp3BetaOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Rp3BetaTrainer(Rp3BetaOptions? options = null)
    {
        _options = options ?? new Rp3BetaOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Neighbors, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.Alpha, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.Beta, nameof(options));
    }

    /// <summary>Builds the top-K random-walk rows.</summary>
    public ItemSimilarityModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var binary = interactions.WithWeights(static (w, _) => w > 0f ? 1f : 0f);
        var itemCounts = binary.ItemUserCounts();
        var rowFactor = new float[binary.ItemCount];
        var columnFactor = new float[binary.ItemCount];
        for (var i = 0; i < itemCounts.Length; i++)
        {
            rowFactor[i] = itemCounts[i] == 0 ? 0f : MathF.Pow(itemCounts[i], -_options.Alpha);
            columnFactor[i] = itemCounts[i] == 0 ? 0f : MathF.Pow(itemCounts[i], -_options.Beta);
        }

        var userScale = new float[binary.UserCount];
        for (var u = 0; u < userScale.Length; u++)
        {
            var length = binary.RowLength(u);
            userScale[u] = length == 0 ? 0f : MathF.Pow(length, -_options.Alpha);
        }

        return CooccurrenceBuilder.Build(
            binary,
            userScale,
            new WalkTransform(rowFactor, columnFactor),
            _options.Neighbors,
            includeSelf: false,
            minCount: 1,
            _options.MaxDegreeOfParallelism);
    }

    private readonly struct WalkTransform(float[] rowFactor, float[] columnFactor) : ISimilarityTransform
    {
        public float Apply(int i, int j, float dot) => dot * rowFactor[i] * columnFactor[j];
    }
}
