using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Popularity;

/// <summary>
/// Trains a <see cref="PopularityModel"/> of fastest-rising items: with <c>recent</c> the item's interactions in
/// <c>(now − window, now]</c> and <c>previous</c> those in <c>(now − 2·window, now − window]</c>, the score is
/// <c>(recent − previous) / (previous + smoothing)</c>. Each cell counts once, at its (latest) timestamp.
/// </summary>
public sealed class TrendingTrainer
{
    private readonly TrendingOptions _options;

    /// <summary>Creates a trainer.</summary>
    public TrendingTrainer(TrendingOptions? options = null)
    {
        _options = options ?? new TrendingOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Window, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Smoothing, nameof(options));
    }

    /// <summary>Scores every item by its recent growth.</summary>
    /// <exception cref="ArgumentException">The matrix has no timestamps.</exception>
    public PopularityModel Fit(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (!interactions.HasTimestamps)
        {
            throw new ArgumentException("Trending needs timestamps.", nameof(interactions));
        }

        var times = interactions.Timestamps;
        var items = interactions.ItemIndices;
        var now = _options.Now ?? (times.IsEmpty ? 0 : MaxOf(times));
        var recentStart = now - _options.Window;
        var previousStart = recentStart - _options.Window;
        var recent = new int[interactions.ItemCount];
        var previous = new int[interactions.ItemCount];
        for (var p = 0; p < items.Length; p++)
        {
            var t = times[p];
            if (t > now || t <= previousStart)
            {
                continue;
            }

            if (t > recentStart)
            {
                recent[items[p]]++;
            }
            else
            {
                previous[items[p]]++;
            }
        }

        var scores = new float[interactions.ItemCount];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = (recent[i] - previous[i]) / (previous[i] + _options.Smoothing);
        }

        return new PopularityModel(scores);
    }

    private static long MaxOf(ReadOnlySpan<long> values)
    {
        var max = long.MinValue;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }
}
