namespace Recsys.Algorithms.Data;

/// <summary>
/// A boost of a user's most recent interactions when their history is scored: the weight of the interaction of recency
/// rank r (0 is the newest) is multiplied by <c>Floor + (1 − Floor) · 0.5^(r / HalfLife)</c>, so the newest weighs 1
/// and old ones tend to <see cref="Floor"/>. A floor of 1 is no boost.
/// </summary>
/// <remarks>
/// Where the next interactions follow the latest ones (a user's next purchases, the next films of a season), the latest
/// items say most about them; where the next interactions are unrelated to order, a floor close to 1 barely moves a
/// ranking. Ranks are stored capped at <see cref="MaxRank"/>, where the multiplier has long reached the floor.
/// </remarks>
/// <param name="Floor">Multiplier of old interactions, in (0, 1]; 1 turns the boost off.</param>
/// <param name="HalfLife">Interactions over which the boost halves, positive.</param>
public sealed record RecencyBoost(float Floor, float HalfLife)
{
    /// <summary>The largest stored rank.</summary>
    public const int MaxRank = byte.MaxValue;

    /// <summary>No boost.</summary>
    public static RecencyBoost None { get; } = new(1f, 1f);

    /// <summary>Whether the boost changes weights.</summary>
    public bool IsActive => Floor < 1f;

    /// <summary>The multiplier of recency rank <paramref name="rank"/>.</summary>
    public float Multiplier(int rank) => IsActive ? (float)(Floor + ((1 - Floor) * Math.Pow(0.5, Math.Min(rank, MaxRank) / HalfLife))) : 1f;

    /// <summary>Multiplies <paramref name="weights"/> by the multipliers of <paramref name="ranks"/> (same length) in place.</summary>
    public void Apply(ReadOnlySpan<byte> ranks, Span<float> weights)
    {
        if (ranks.Length != weights.Length)
        {
            throw new ArgumentException("ranks and weights must have the same length.", nameof(ranks));
        }

        if (!IsActive)
        {
            return;
        }

        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] *= Multiplier(ranks[k]);
        }
    }

    /// <summary>
    /// Recency ranks (newest 0, capped at <see cref="MaxRank"/>) of entries ordered by <paramref name="keys"/>, where a
    /// larger key is newer; equal keys are ranked as the caller's <paramref name="ties"/> order them (larger newer).
    /// </summary>
    public static byte[] Ranks(ReadOnlySpan<long> keys, ReadOnlySpan<ulong> ties)
    {
        if (keys.Length != ties.Length)
        {
            throw new ArgumentException("keys and ties must have the same length.", nameof(ties));
        }

        var order = new int[keys.Length];
        var sortKeys = new (long Key, ulong Tie)[keys.Length];
        for (var k = 0; k < order.Length; k++)
        {
            order[k] = k;
            sortKeys[k] = (keys[k], ties[k]);
        }

        Array.Sort(sortKeys, order);
        var ranks = new byte[keys.Length];
        for (var position = 0; position < order.Length; position++)
        {
            ranks[order[position]] = (byte)Math.Min(order.Length - 1 - position, MaxRank);
        }

        return ranks;
    }
}
