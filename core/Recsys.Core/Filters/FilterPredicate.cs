namespace Recsys.Core.Filters;

/// <summary>
/// A filter bound to one request: which rows (candidate item or user indexes) pass. A row passes when it matches one
/// of the applicable INCLUDE clauses (any row, when none applies) and none of the applicable EXCLUDE clauses. Testing a
/// row is a few array reads per condition and allocates nothing.
/// </summary>
public sealed class FilterPredicate
{
    private readonly FilterNode[] _includes;
    private readonly FilterNode[] _excludes;

    internal FilterPredicate(FilterNode[] includes, FilterNode[] excludes)
    {
        _includes = includes;
        _excludes = excludes;
    }

    /// <summary>The predicate every row passes.</summary>
    public static FilterPredicate All { get; } = new([], []);

    /// <summary>Whether every row passes (no clause applies to this request).</summary>
    public bool IsUnrestricted => _includes.Length == 0 && _excludes.Length == 0;

    /// <summary>Number of INCLUDE clauses that apply to this request.</summary>
    public int IncludeCount => _includes.Length;

    /// <summary>Number of EXCLUDE clauses that apply to this request (skipped ones are not counted).</summary>
    public int ExcludeCount => _excludes.Length;

    /// <summary>Whether <paramref name="row"/> passes the filter.</summary>
    public bool Matches(int row)
    {
        if (_includes.Length > 0)
        {
            var included = false;
            foreach (var include in _includes)
            {
                if (include.Matches(row))
                {
                    included = true;
                    break;
                }
            }

            if (!included)
            {
                return false;
            }
        }

        foreach (var exclude in _excludes)
        {
            if (exclude.Matches(row))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Copies the candidates that pass, in order, to <paramref name="destination"/> until it is full; returns how many
    /// were copied. <paramref name="examined"/> says how many candidates were tested (work is bounded by it).
    /// </summary>
    public int Select(ReadOnlySpan<int> candidates, Span<int> destination, out int examined)
    {
        var count = 0;
        examined = 0;
        while (examined < candidates.Length && count < destination.Length)
        {
            var candidate = candidates[examined++];
            if (Matches(candidate))
            {
                destination[count++] = candidate;
            }
        }

        return count;
    }
}

/// <summary>How <see cref="FilterFill.Fill"/> filled a result.</summary>
/// <param name="Count">Rows written.</param>
/// <param name="RankedCount">Of those, how many came from the ranked list (they come first); the rest are popular fill.</param>
public readonly record struct FillResult(int Count, int RankedCount)
{
    /// <summary>Whether popular items were needed (their <c>reason</c> is <c>Popular item</c>).</summary>
    public bool UsedFill => Count > RankedCount;
}

/// <summary>
/// Fills a filtered result: when a filter leaves fewer ranked candidates than wanted, the result is topped up with the
/// most popular items that pass the filter (Personalize's "Popular item" placeholders).
/// </summary>
public static class FilterFill
{
    /// <summary>The <c>reason</c> Personalize gives an item that fills a result.</summary>
    public const string PopularItemReason = "Popular item";

    private const int LinearLookupLimit = 64;

    /// <summary>
    /// Writes to <paramref name="destination"/> the <paramref name="ranked"/> rows that pass <paramref name="filter"/>
    /// (in rank order), then, while there is room, the <paramref name="popular"/> rows that pass and are not already
    /// there. Work is bounded by the lengths of both lists.
    /// </summary>
    /// <param name="ranked">Candidates, best first.</param>
    /// <param name="popular">Fallback rows, most popular first.</param>
    /// <param name="filter">The bound filter, or null for none.</param>
    /// <param name="destination">Where the result goes; its length is the number of results wanted.</param>
    public static FillResult Fill(ReadOnlySpan<int> ranked, ReadOnlySpan<int> popular, FilterPredicate? filter, Span<int> destination)
    {
        filter ??= FilterPredicate.All;
        var rankedCount = filter.Select(ranked, destination, out _);
        var count = rankedCount;
        if (count == destination.Length || popular.IsEmpty)
        {
            return new FillResult(count, rankedCount);
        }

        HashSet<int>? taken = null;
        if (destination.Length > LinearLookupLimit)
        {
            taken = new HashSet<int>(count);
            foreach (var row in destination[..count])
            {
                taken.Add(row);
            }
        }

        foreach (var row in popular)
        {
            if (count == destination.Length)
            {
                break;
            }

            var present = taken is null ? destination[..count].Contains(row) : !taken.Add(row);
            if (!present && filter.Matches(row))
            {
                destination[count++] = row;
            }
        }

        return new FillResult(count, rankedCount);
    }
}
