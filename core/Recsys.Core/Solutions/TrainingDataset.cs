using Recsys.Algorithms.Data;
using Recsys.Data.Training;

namespace Recsys.Core.Solutions;

/// <summary>Which interactions a solution trains on, and with what weight.</summary>
/// <param name="EventType">Only this event type, or null.</param>
/// <param name="EventValueThreshold">Only events with at least this value, or null.</param>
/// <param name="EventParameters">Per event type thresholds and weights; when non-empty, only these types are used.</param>
public sealed record TrainingFilter(string? EventType, double? EventValueThreshold, IReadOnlyList<EventParameters> EventParameters)
{
    /// <summary>No filter: every interaction, weight 1.</summary>
    public static TrainingFilter None { get; } = new(null, null, []);

    /// <summary>The filter of <paramref name="solution"/>.</summary>
    public static TrainingFilter For(Solution solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        var threshold = solution.SolutionConfig.EventValueThreshold is { } text
            ? double.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)
            : (double?)null;
        return new(solution.EventType, threshold, solution.SolutionConfig.EventsConfig?.EventParametersList ?? []);
    }
}

/// <summary>Item metadata as tokens: <c>FIELD=value</c> for categorical values and <c>FIELD:word</c> for textual words.</summary>
/// <param name="ItemIds">Items with metadata.</param>
/// <param name="Tokens">Each item's tokens, aligned with <paramref name="ItemIds"/>.</param>
public sealed record ItemMetadata(IReadOnlyList<string> ItemIds, IReadOnlyList<IReadOnlyList<string>> Tokens)
{
    /// <summary>No metadata.</summary>
    public static ItemMetadata Empty { get; } = new([], []);
}

/// <summary>
/// The data one training run uses: the users × items matrix after the solution's filters (weights from event
/// weights, repeated pairs merged by maximum, latest timestamp kept), the id maps, and item tokens. Items that only
/// appear in the Items dataset are part of the catalogue (cold items) with empty columns.
/// </summary>
public sealed class TrainingDataset
{
    private TrainingDataset(string[] userIds, string[] itemIds, InteractionMatrix matrix, int[] tokenOffsets, int[] tokenIds, string[] tokens, long interactions)
    {
        UserIds = userIds;
        ItemIds = itemIds;
        Matrix = matrix;
        ItemTokenOffsets = tokenOffsets;
        ItemTokenIds = tokenIds;
        Tokens = tokens;
        InteractionCount = interactions;
    }

    /// <summary>User ids by user index.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>Item ids by item index (interacted items first, then items known only from metadata).</summary>
    public IReadOnlyList<string> ItemIds { get; }

    /// <summary>The users × items matrix, with timestamps.</summary>
    public InteractionMatrix Matrix { get; }

    /// <summary>CSR offsets of each item's tokens in <see cref="ItemTokenIds"/> (length items + 1).</summary>
    public int[] ItemTokenOffsets { get; }

    /// <summary>Token indices (into <see cref="Tokens"/>) of every item, ascending within an item.</summary>
    public int[] ItemTokenIds { get; }

    /// <summary>Token names.</summary>
    public string[] Tokens { get; }

    /// <summary>Interactions kept by the filter (before merging repeated pairs).</summary>
    public long InteractionCount { get; }

    /// <summary>Users with at least two kept interactions (distinct items).</summary>
    public int UsersWithTwoOrMore
    {
        get
        {
            var count = 0;
            for (var u = 0; u < Matrix.UserCount; u++)
            {
                count += Matrix.RowLength(u) >= 2 ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Builds the dataset.</summary>
    public static TrainingDataset Build(TrainingInteractions interactions, ItemMetadata? metadata, TrainingFilter filter)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(filter);
        metadata ??= ItemMetadata.Empty;

        // Per event-type code: weight, or NaN when the type is excluded, and its threshold.
        var typeCount = interactions.EventTypes.Count;
        var typeWeight = new float[typeCount + 1];
        var typeThreshold = new double[typeCount + 1];
        for (var code = -1; code < typeCount; code++)
        {
            var name = code < 0 ? null : interactions.EventTypes[code];
            var weight = 1f;
            var threshold = filter.EventValueThreshold ?? double.NegativeInfinity;
            if (filter.EventType is not null && name != filter.EventType)
            {
                weight = float.NaN;
            }

            if (filter.EventParameters.Count > 0)
            {
                var parameters = filter.EventParameters.FirstOrDefault(p => p.EventType == name);
                if (parameters is null)
                {
                    weight = float.NaN;
                }
                else
                {
                    weight = float.IsNaN(weight) ? weight : (float)(parameters.Weight ?? 1);
                    threshold = Math.Max(threshold, parameters.EventValueThreshold ?? double.NegativeInfinity);
                }
            }

            typeWeight[code + 1] = weight;
            typeThreshold[code + 1] = threshold;
        }

        var users = interactions.UserIndexes;
        var items = interactions.ItemIndexes;
        var times = interactions.Timestamps;
        var codes = interactions.EventTypeCodes;
        var values = interactions.EventValues;
        var keep = new List<int>(interactions.Count);
        for (var r = 0; r < interactions.Count; r++)
        {
            var slot = codes[r] + 1;
            var weight = typeWeight[slot];
            if (float.IsNaN(weight) || weight <= 0)
            {
                continue;
            }

            var threshold = typeThreshold[slot];
            if (!double.IsNegativeInfinity(threshold) && (float.IsNaN(values[r]) || values[r] < threshold))
            {
                continue;
            }

            keep.Add(r);
        }

        // Dense indices over kept rows only, users and items in order of first appearance.
        var userIndex = new int[interactions.Users.Count];
        Array.Fill(userIndex, -1);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIds = new List<string>();
        var userIds = new List<string>();
        var u = new int[keep.Count];
        var i = new int[keep.Count];
        var w = new float[keep.Count];
        var t = new long[keep.Count];
        for (var k = 0; k < keep.Count; k++)
        {
            var r = keep[k];
            ref var mapped = ref userIndex[users[r]];
            if (mapped < 0)
            {
                mapped = userIds.Count;
                userIds.Add(interactions.Users[users[r]]);
            }

            var itemId = interactions.Items[items[r]];
            if (!itemIndex.TryGetValue(itemId, out var item))
            {
                item = itemIds.Count;
                itemIndex.Add(itemId, item);
                itemIds.Add(itemId);
            }

            u[k] = mapped;
            i[k] = item;
            w[k] = typeWeight[codes[r] + 1];
            t[k] = times[r];
        }

        foreach (var id in metadata.ItemIds)
        {
            if (!itemIndex.ContainsKey(id))
            {
                itemIndex.Add(id, itemIds.Count);
                itemIds.Add(id);
            }
        }

        var matrix = InteractionMatrix.FromCoordinates(userIds.Count, itemIds.Count, u, i, w, t, DuplicateMerge.Max);
        var (offsets, tokenIds, tokens) = BuildTokens(metadata, itemIndex, itemIds.Count);
        return new TrainingDataset([.. userIds], [.. itemIds], matrix, offsets, tokenIds, tokens, keep.Count);
    }

    /// <summary>The tokens of item <paramref name="item"/>.</summary>
    public ReadOnlySpan<int> ItemTokens(int item) => ItemTokenIds.AsSpan(ItemTokenOffsets[item], ItemTokenOffsets[item + 1] - ItemTokenOffsets[item]);

    private static (int[] Offsets, int[] TokenIds, string[] Tokens) BuildTokens(ItemMetadata metadata, Dictionary<string, int> itemIndex, int itemCount)
    {
        var tokenIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var perItem = new int[itemCount][];
        for (var m = 0; m < metadata.ItemIds.Count; m++)
        {
            var item = itemIndex[metadata.ItemIds[m]];
            var ids = new SortedSet<int>();
            foreach (var token in metadata.Tokens[m])
            {
                if (!tokenIndex.TryGetValue(token, out var id))
                {
                    id = tokenIndex.Count;
                    tokenIndex.Add(token, id);
                }

                ids.Add(id);
            }

            perItem[item] = [.. ids];
        }

        var offsets = new int[itemCount + 1];
        for (var item = 0; item < itemCount; item++)
        {
            offsets[item + 1] = offsets[item] + (perItem[item]?.Length ?? 0);
        }

        var tokenIds = new int[offsets[^1]];
        for (var item = 0; item < itemCount; item++)
        {
            perItem[item]?.CopyTo(tokenIds, offsets[item]);
        }

        var names = new string[tokenIndex.Count];
        foreach (var (name, id) in tokenIndex)
        {
            names[id] = name;
        }

        return (offsets, tokenIds, names);
    }
}
