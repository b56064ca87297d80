using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Popularity;

/// <summary>Trains a <see cref="PopularityModel"/> whose score of an item is its number of interactions.</summary>
public sealed class PopularityTrainer
{
    /// <summary>Creates a trainer.</summary>
    /// <param name="useWeights">Sum the cells' weights instead of counting the cells (distinct users).</param>
    public PopularityTrainer(bool useWeights = false)
    {
        UseWeights = useWeights;
    }

    /// <summary>Whether an item's score sums its cells' weights (true) or counts its cells (false).</summary>
    public bool UseWeights { get; }

    /// <summary>Counts the interactions of every item.</summary>
    public PopularityModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var scores = new float[interactions.ItemCount];
        var items = interactions.ItemIndices;
        var weights = interactions.Weights;
        for (var p = 0; p < items.Length; p++)
        {
            scores[items[p]] += UseWeights ? weights[p] : 1f;
        }

        return new PopularityModel(scores);
    }
}
