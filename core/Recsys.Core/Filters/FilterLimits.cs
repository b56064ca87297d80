namespace Recsys.Core.Filters;

/// <summary>
/// Personalize's filter limits (developer guide <c>limits.html</c>, <c>CreateFilter</c> and <c>GetRecommendations</c>
/// API references), and the one Recsys adds where Personalize publishes none.
/// </summary>
public static class FilterLimits
{
    /// <summary>Longest filter expression, in characters.</summary>
    public const int MaxExpressionLength = 2_500;

    /// <summary>Most distinct dataset fields one filter may use (across all of its clauses).</summary>
    public const int MaxFieldsPerFilter = 10;

    /// <summary>Most distinct dataset fields all filters of a dataset group may use together.</summary>
    public const int MaxFieldsPerDatasetGroup = 20;

    /// <summary>Most filters in a dataset group.</summary>
    public const int MaxFiltersPerDatasetGroup = 30;

    /// <summary>Most parameters in a filter: a request's <c>filterValues</c> holds at most 25 entries.</summary>
    public const int MaxParameters = 25;

    /// <summary>Longest parameter name (a <c>filterValues</c> key).</summary>
    public const int MaxParameterNameLength = 50;

    /// <summary>Longest parameter value (a <c>filterValues</c> value), in characters.</summary>
    public const int MaxParameterValueLength = 1_000;

    /// <summary>
    /// Most values in one <c>IN</c> list, written in the expression or given for a parameter. Personalize publishes no
    /// such number (its 1,000-character value limit bounds parameters); Recsys sets it so that every condition is
    /// bounded work per candidate.
    /// </summary>
    public const int MaxValuesPerList = 100;

    /// <summary>Most recent interactions per user and event type that <c>Interactions.EVENT_TYPE</c> conditions see.</summary>
    public const int DefaultInteractionsPerEventType = 100;
}
