using Recsys.Core.Resources;

namespace Recsys.Core.Solutions;

/// <summary>
/// A solution (Personalize's Solution): a recipe with its training configuration for one dataset group. Training it
/// produces solution versions.
/// </summary>
public sealed record Solution : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "solution";

    /// <summary>Solution name, unique.</summary>
    public required string Name { get; init; }

    /// <summary>The dataset group it trains on (name).</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>The recipe name (see <see cref="Recipes.RecipeCatalog"/>).</summary>
    public required string Recipe { get; init; }

    /// <summary>Train only on interactions of this event type; null for all.</summary>
    public string? EventType { get; init; }

    /// <summary>Whether hyperparameters are searched with <see cref="SolutionConfig.HpoConfig"/>.</summary>
    public bool PerformHpo { get; init; }

    /// <summary>
    /// Whether the retrain timer trains a new FULL version on the schedule of
    /// <see cref="SolutionConfig.AutoTrainingConfig"/> (Personalize's <c>performAutoTraining</c>; true by default for new
    /// solutions, false for solutions stored before it existed).
    /// </summary>
    public bool PerformAutoTraining { get; init; }

    /// <summary>Hyperparameters, thresholds, event weights, HPO and automatic training settings.</summary>
    public SolutionConfig SolutionConfig { get; init; } = new();

    /// <summary>Lifecycle state (a solution is ACTIVE once created).</summary>
    public required ResourceState State { get; init; }

    /// <summary>The latest solution version's id, if any.</summary>
    public string? LatestSolutionVersion { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);
}

/// <summary>A solution's training configuration (Personalize's <c>solutionConfig</c>).</summary>
public sealed record SolutionConfig
{
    /// <summary>Train only on interactions whose EVENT_VALUE is at least this (a number as a string); null for all.</summary>
    public string? EventValueThreshold { get; init; }

    /// <summary>Recipe hyperparameters, as strings, by name.</summary>
    public IReadOnlyDictionary<string, string>? AlgorithmHyperParameters { get; init; }

    /// <summary>Per event type weights and thresholds; when given, only the listed event types are trained on.</summary>
    public EventsConfig? EventsConfig { get; init; }

    /// <summary>The hyperparameter search, used when the solution has <c>performHPO</c>.</summary>
    public HpoConfig? HpoConfig { get; init; }

    /// <summary>The automatic training schedule, used when the solution has <c>performAutoTraining</c>.</summary>
    public AutoTrainingConfig? AutoTrainingConfig { get; init; }
}

/// <summary>Automatic training settings (Personalize's <c>autoTrainingConfig</c>).</summary>
/// <param name="SchedulingExpression">
/// <c>rate(N days)</c> with N from 1 to 30 (default <c>rate(7 days)</c>); Recsys also accepts <c>rate(N hours)</c> and
/// <c>rate(N minutes)</c> up to 30 days (see <see cref="AutoTraining"/>).
/// </param>
public sealed record AutoTrainingConfig(string? SchedulingExpression);

/// <summary>Per event type training settings (Personalize's <c>eventsConfig</c>).</summary>
/// <param name="EventParametersList">Up to 10 event types.</param>
public sealed record EventsConfig(IReadOnlyList<EventParameters>? EventParametersList);

/// <summary>How one event type is trained on.</summary>
/// <param name="EventType">The event type.</param>
/// <param name="EventValueThreshold">Events of this type with a smaller EVENT_VALUE are left out; null keeps all.</param>
/// <param name="Weight">Weight of an interaction of this type, in [0, 1].</param>
public sealed record EventParameters(string? EventType, double? EventValueThreshold, double? Weight);

/// <summary>Hyperparameter optimization settings (Personalize's <c>hpoConfig</c>).</summary>
/// <param name="HpoObjective">The metric to optimize.</param>
/// <param name="HpoResourceConfig">How many configurations to train.</param>
/// <param name="AlgorithmHyperParameterRanges">The ranges to search.</param>
public sealed record HpoConfig(HpoObjective? HpoObjective, HpoResourceConfig? HpoResourceConfig, HyperParameterRanges? AlgorithmHyperParameterRanges);

/// <summary>The metric HPO optimizes.</summary>
/// <param name="Type"><c>Maximize</c> (default) or <c>Minimize</c>.</param>
/// <param name="MetricName">A metric key of <c>getSolutionMetrics</c>; default <c>normalized_discounted_cumulative_gain_at_10</c>.</param>
public sealed record HpoObjective(string? Type, string? MetricName);

/// <summary>HPO budget.</summary>
/// <param name="MaxNumberOfTrainingJobs">Configurations trained (1–40, as a string as in Personalize; default 8).</param>
public sealed record HpoResourceConfig(string? MaxNumberOfTrainingJobs);

/// <summary>Ranges searched by HPO.</summary>
/// <param name="IntegerHyperParameterRanges">Integer ranges.</param>
/// <param name="ContinuousHyperParameterRanges">Continuous ranges.</param>
/// <param name="CategoricalHyperParameterRanges">Value lists (for any hyperparameter).</param>
public sealed record HyperParameterRanges(
    IReadOnlyList<IntegerHyperParameterRange>? IntegerHyperParameterRanges,
    IReadOnlyList<ContinuousHyperParameterRange>? ContinuousHyperParameterRanges,
    IReadOnlyList<CategoricalHyperParameterRange>? CategoricalHyperParameterRanges);

/// <summary>An integer range.</summary>
/// <param name="Name">Hyperparameter.</param>
/// <param name="MinValue">Smallest value.</param>
/// <param name="MaxValue">Largest value.</param>
public sealed record IntegerHyperParameterRange(string? Name, int MinValue, int MaxValue);

/// <summary>A continuous range.</summary>
/// <param name="Name">Hyperparameter.</param>
/// <param name="MinValue">Smallest value.</param>
/// <param name="MaxValue">Largest value.</param>
public sealed record ContinuousHyperParameterRange(string? Name, double MinValue, double MaxValue);

/// <summary>A list of values to try.</summary>
/// <param name="Name">Hyperparameter.</param>
/// <param name="Values">Values, as strings.</param>
public sealed record CategoricalHyperParameterRange(string? Name, IReadOnlyList<string>? Values);
