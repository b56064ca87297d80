using System.Buffers;
using Recsys.Algorithms.Serialization;

namespace Recsys.Algorithms.Ensemble;

/// <summary>
/// A weighted sum of several models' scores, each standardized per user (mean 0, standard deviation 1 over all
/// items) so that models with different score scales can be mixed: <c>score = Σ_m weight_m · z_m</c>.
/// </summary>
public sealed class BlendModel : RecommenderModel
{
    private readonly RecommenderModel[] _models;
    private readonly float[] _weights;

    /// <summary>Creates a blend.</summary>
    /// <exception cref="ArgumentException">No models, a weight count that differs, or models of different catalogues.</exception>
    public BlendModel(IReadOnlyList<RecommenderModel> models, IReadOnlyList<float> weights)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(weights);
        if (models.Count == 0 || models.Count != weights.Count || models.Any(m => m.ItemCount != models[0].ItemCount))
        {
            throw new ArgumentException("A blend needs one weight per model and models of the same catalogue.");
        }

        _models = [.. models];
        _weights = [.. weights];
    }

    /// <inheritdoc />
    public override int ItemCount => _models[0].ItemCount;

    /// <inheritdoc />
    public override ModelKind Kind => ModelKind.Blend;

    /// <summary>The blended models.</summary>
    public IReadOnlyList<RecommenderModel> Models => _models;

    /// <summary>Their weights.</summary>
    public IReadOnlyList<float> Weights => _weights;

    /// <inheritdoc />
    public override void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        CheckScoreArguments(historyItems, historyWeights, scores);
        scores.Clear();
        var buffer = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            Accumulate(historyItems, historyWeights, scores, buffer.AsSpan(0, ItemCount));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private void Accumulate(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores, Span<float> part)
    {
        for (var m = 0; m < _models.Length; m++)
        {
            if (_weights[m] == 0f)
            {
                continue;
            }

            _models[m].Score(historyItems, historyWeights, part);
            Standardize(part);
            var weight = _weights[m];
            for (var i = 0; i < part.Length; i++)
            {
                scores[i] += weight * part[i];
            }
        }
    }

    /// <summary>Standardizes one model's scores for a user in place: mean 0 and standard deviation 1 over all items (all 0 when they are all equal).</summary>
    internal static void Standardize(Span<float> scores)
    {
        var mean = 0d;
        foreach (var v in scores)
        {
            mean += v;
        }

        mean /= scores.Length;
        var variance = 0d;
        foreach (var v in scores)
        {
            variance += (v - mean) * (v - mean);
        }

        var deviation = Math.Sqrt(variance / scores.Length);
        var factor = deviation > 0 ? (float)(1 / deviation) : 0f;
        var shift = (float)mean;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = (scores[i] - shift) * factor;
        }
    }

    internal static BlendModel ReadBody(BinaryReader reader)
    {
        var weights = BinaryArrays.Read<float>(reader);
        var models = new RecommenderModel[weights.Length];
        for (var m = 0; m < models.Length; m++)
        {
            models[m] = Load(reader.BaseStream);
        }

        return new BlendModel(models, weights);
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        BinaryArrays.Write<float>(writer, _weights);
        writer.Flush();
        foreach (var model in _models)
        {
            model.Save(writer.BaseStream);
        }
    }
}
