namespace Recsys.Algorithms.Popularity;

/// <summary>Settings of <see cref="TrendingTrainer"/>.</summary>
public sealed record TrendingOptions
{
    /// <summary>Length of each of the two compared windows, in the matrix's timestamp unit (default 7 days in seconds).</summary>
    public long Window { get; init; } = 7 * 86_400;

    /// <summary>End of the recent window; null means the largest timestamp in the matrix.</summary>
    public long? Now { get; init; }

    /// <summary>Added to the previous window's count in the denominator, so that items with few events do not dominate.</summary>
    public float Smoothing { get; init; } = 5f;
}
