using Recsys.Algorithms.Data;
using Recsys.Algorithms.Ensemble;

namespace Recsys.Algorithms.Linear;

/// <summary>
/// EASE for catalogues too large for its dense items × items solve: EASE on the head items (the most interacted
/// with, which carry most of the interactions), wrapped in an <see cref="ItemSubsetModel"/> so that it scores the
/// whole catalogue; the tail is left to a neighbourhood model blended with it. With a head as large as the
/// catalogue it is exact EASE.
/// </summary>
public sealed class HeadEaseTrainer
{
    private readonly EaseOptions _options;
    private readonly int _headItems;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">EASE settings of the head model.</param>
    /// <param name="headItems">Most items in the head (at most <see cref="EaseOptions.MaxItems"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The head is empty or larger than EASE accepts.</exception>
    public HeadEaseTrainer(EaseOptions options, int headItems)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (headItems < 1 || headItems > options.MaxItems)
        {
            throw new ArgumentOutOfRangeException(nameof(headItems), $"The head must have 1 to {options.MaxItems} items.");
        }

        _options = options;
        _headItems = headItems;
    }

    /// <summary>
    /// The head: the items with at least c users, for the smallest c that keeps at most <paramref name="headItems"/>
    /// items (a count threshold, so that items of equal popularity are all in or all out, whatever their indices).
    /// Items without interactions are never in it.
    /// </summary>
    public static int[] SelectHead(InteractionMatrix interactions, int headItems)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var counts = interactions.ItemUserCounts();
        var byCount = new SortedDictionary<int, int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var c in counts)
        {
            if (c > 0)
            {
                byCount[c] = byCount.GetValueOrDefault(c) + 1;
            }
        }

        var threshold = int.MaxValue;
        var kept = 0;
        foreach (var (count, items) in byCount)
        {
            if (kept + items > headItems)
            {
                break;
            }

            kept += items;
            threshold = count;
        }

        var head = new List<int>(kept);
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] >= threshold)
            {
                head.Add(i);
            }
        }

        return [.. head];
    }

    /// <summary>Fits EASE on the head's columns of <paramref name="interactions"/>.</summary>
    public ItemSubsetModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var head = SelectHead(interactions, _headItems);
        if (head.Length == 0)
        {
            throw new ArgumentException("No item has an interaction.", nameof(interactions));
        }

        var model = new EaseTrainer(_options).Fit(interactions.SelectColumns(head));
        return new ItemSubsetModel(model, head, interactions.ItemCount);
    }
}
