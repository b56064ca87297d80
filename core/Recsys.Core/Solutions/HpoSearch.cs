using System.Globalization;
using Recsys.Core.Recipes;

namespace Recsys.Core.Solutions;

/// <summary>
/// Hyperparameter optimization: the configurations to try from a solution's <c>hpoConfig</c>. When the categorical
/// ranges alone (and no numeric range) make at most <c>maxNumberOfTrainingJobs</c> combinations, every combination
/// is tried; otherwise configurations are drawn at random (seeded): integers uniformly, continuous values
/// log-uniformly when the range spans a factor of 10 or more, uniformly otherwise.
/// </summary>
public static class HpoSearch
{
    /// <summary>Configurations tried when <c>maxNumberOfTrainingJobs</c> is not given.</summary>
    public const int DefaultTrainingJobs = 8;

    /// <summary>Largest <c>maxNumberOfTrainingJobs</c> (Personalize's).</summary>
    public const int MaxTrainingJobs = 40;

    /// <summary>The configurations to try: <paramref name="fixedValues"/> with the ranges' hyperparameters varied.</summary>
    public static IReadOnlyList<Hyperparameters> Configurations(Hyperparameters fixedValues, HpoConfig config, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(fixedValues);
        ArgumentNullException.ThrowIfNull(config);
        var jobs = TrainingJobs(config);
        var ranges = config.AlgorithmHyperParameterRanges;
        var categorical = ranges?.CategoricalHyperParameterRanges ?? [];
        var integers = ranges?.IntegerHyperParameterRanges ?? [];
        var continuous = ranges?.ContinuousHyperParameterRanges ?? [];
        var grid = categorical.Aggregate(1L, (n, r) => n * Math.Max(1, r.Values?.Count ?? 1));
        var result = new List<Hyperparameters>();
        if (integers.Count == 0 && continuous.Count == 0 && grid <= jobs)
        {
            IEnumerable<Hyperparameters> combos = [fixedValues];
            foreach (var range in categorical)
            {
                combos = combos.SelectMany(c => range.Values!.Select(v => c.With(range.Name!, v))).ToList();
            }

            return [.. combos];
        }

        var random = new Random((int)(seed & 0x7FFFFFFF));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < jobs * 10 && result.Count < jobs; attempt++)
        {
            var candidate = fixedValues;
            foreach (var range in categorical)
            {
                candidate = candidate.With(range.Name!, range.Values![random.Next(range.Values.Count)]);
            }

            foreach (var range in integers)
            {
                candidate = candidate.With(range.Name!, random.Next(range.MinValue, range.MaxValue + 1).ToString(CultureInfo.InvariantCulture));
            }

            foreach (var range in continuous)
            {
                var value = range.MinValue > 0 && range.MaxValue / range.MinValue >= 10
                    ? Math.Exp(Math.Log(range.MinValue) + (random.NextDouble() * (Math.Log(range.MaxValue) - Math.Log(range.MinValue))))
                    : range.MinValue + (random.NextDouble() * (range.MaxValue - range.MinValue));
                candidate = candidate.With(range.Name!, value.ToString("G6", CultureInfo.InvariantCulture));
            }

            var key = string.Join(';', candidate.Values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
            if (seen.Add(key))
            {
                result.Add(candidate);
            }
        }

        return result;
    }

    /// <summary>
    /// Validates an HPO configuration against the recipe, adding problems to <paramref name="errors"/> under
    /// <c>solutionConfig.hpoConfig...</c>.
    /// </summary>
    public static void Validate(Recipe recipe, HpoConfig config, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(errors);
        const string prefix = "solutionConfig.hpoConfig.";
        if (config.HpoResourceConfig?.MaxNumberOfTrainingJobs is { } text
            && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var jobs) || jobs is < 1 or > MaxTrainingJobs))
        {
            errors[prefix + "hpoResourceConfig.maxNumberOfTrainingJobs"] = [$"maxNumberOfTrainingJobs must be an integer from 1 to {MaxTrainingJobs}; got '{text}'."];
        }

        if (config.HpoObjective is { } objective)
        {
            if (objective.MetricName is { } metric && !OfflineMetrics.Keys.Contains(metric))
            {
                errors[prefix + "hpoObjective.metricName"] = [$"metricName must be one of {string.Join(", ", OfflineMetrics.Keys)}; got '{metric}'."];
            }

            if (objective.Type is { } type && type is not ("Maximize" or "Minimize"))
            {
                errors[prefix + "hpoObjective.type"] = [$"type must be Maximize or Minimize; got '{type}'."];
            }
        }

        var ranges = config.AlgorithmHyperParameterRanges;
        var index = 0;
        foreach (var range in ranges?.IntegerHyperParameterRanges ?? [])
        {
            var field = $"{prefix}algorithmHyperParameterRanges.integerHyperParameterRanges[{index++}]";
            if (Tunable(recipe, range.Name, field, errors, HyperparameterKind.Whole) is { } definition)
            {
                CheckBounds(definition, range.MinValue, range.MaxValue, field, errors);
            }
        }

        index = 0;
        foreach (var range in ranges?.ContinuousHyperParameterRanges ?? [])
        {
            var field = $"{prefix}algorithmHyperParameterRanges.continuousHyperParameterRanges[{index++}]";
            if (Tunable(recipe, range.Name, field, errors, HyperparameterKind.Continuous) is { } definition)
            {
                CheckBounds(definition, range.MinValue, range.MaxValue, field, errors);
            }
        }

        index = 0;
        foreach (var range in ranges?.CategoricalHyperParameterRanges ?? [])
        {
            var field = $"{prefix}algorithmHyperParameterRanges.categoricalHyperParameterRanges[{index++}]";
            if (Tunable(recipe, range.Name, field, errors, null) is { } definition)
            {
                if (range.Values is not { Count: > 0 })
                {
                    errors[field + ".values"] = ["A categorical range needs at least one value."];
                    continue;
                }

                foreach (var value in range.Values)
                {
                    if (RecipeCatalog.Problem(definition, value) is { } problem)
                    {
                        errors[field + ".values"] = [problem];
                        break;
                    }
                }
            }
        }
    }

    /// <summary>The number of configurations to train.</summary>
    public static int TrainingJobs(HpoConfig config)
        => int.TryParse(config?.HpoResourceConfig?.MaxNumberOfTrainingJobs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var jobs)
            ? jobs
            : DefaultTrainingJobs;

    private static HyperparameterDefinition? Tunable(Recipe recipe, string? name, string field, IDictionary<string, string[]> errors, HyperparameterKind? kind)
    {
        var definition = name is null ? null : recipe.Find(name);
        if (definition is null)
        {
            errors[field + ".name"] = [$"'{name}' is not a hyperparameter of {recipe.Name}; it has: {string.Join(", ", recipe.Hyperparameters.Select(h => h.Name))}."];
            return null;
        }

        if (!definition.IsTunable)
        {
            errors[field + ".name"] = [$"{name} cannot be tuned by HPO."];
            return null;
        }

        if (kind is not null && definition.Kind != kind)
        {
            errors[field + ".name"] = [$"{name} is {definition.Kind.ToString().ToLowerInvariant()}; give it a {definition.Kind.ToString().ToLowerInvariant()} range."];
            return null;
        }

        return definition;
    }

    private static void CheckBounds(HyperparameterDefinition definition, double min, double max, string field, IDictionary<string, string[]> errors)
    {
        if (min > max || min < definition.MinValue || max > definition.MaxValue)
        {
            errors[field] = [$"The range of {definition.Name} must lie within [{definition.MinValue?.ToString(CultureInfo.InvariantCulture)}, {definition.MaxValue?.ToString(CultureInfo.InvariantCulture)}] with minValue ≤ maxValue; got [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]."];
        }
    }
}
