using System.Globalization;
using System.Text.RegularExpressions;
using Recsys.Core.Resources;

namespace Recsys.Core.Solutions;

/// <summary>
/// Automatic training schedules (Personalize's <c>autoTrainingConfig.schedulingExpression</c>): <c>rate(N days)</c>
/// with N from 1 to 30 (default 7). Recsys also accepts <c>rate(N hours)</c> and <c>rate(N minutes)</c> (singular or
/// plural units) for tests and small deployments, up to 30 days in all.
/// </summary>
public static partial class AutoTraining
{
    /// <summary>The schedule of a solution with automatic training and no expression (Personalize's default).</summary>
    public const string DefaultSchedulingExpression = "rate(7 days)";

    /// <summary>The field a bad expression is reported under.</summary>
    public const string ExpressionField = "solutionConfig.autoTrainingConfig.schedulingExpression";

    /// <summary>Versions started by the retrain timer carry this <see cref="SolutionVersion.TrainingType"/>.</summary>
    public const string AutomaticTrainingType = "AUTOMATIC";

    /// <summary>The longest interval accepted.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(30);

    [GeneratedRegex(@"^\s*rate\(\s*(\d{1,6})\s+(day|days|hour|hours|minute|minutes)\s*\)\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Rate();

    /// <summary>The interval of an expression, or null with <paramref name="problem"/> saying why it does not parse.</summary>
    public static TimeSpan? TryParse(string? expression, out string? problem)
    {
        problem = null;
        var match = expression is null ? null : Rate().Match(expression);
        if (match is null || !match.Success)
        {
            problem = $"schedulingExpression must be 'rate(N days)' with N from 1 to 30 (Recsys also accepts 'rate(N hours)' and 'rate(N minutes)'); got '{expression}'.";
            return null;
        }

        var n = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToLowerInvariant();
        var interval = unit.StartsWith("day", StringComparison.Ordinal) ? TimeSpan.FromDays(n)
            : unit.StartsWith("hour", StringComparison.Ordinal) ? TimeSpan.FromHours(n)
            : TimeSpan.FromMinutes(n);
        if (n < 1 || interval > MaxInterval)
        {
            problem = unit.StartsWith("day", StringComparison.Ordinal)
                ? $"schedulingExpression must be between rate(1 day) and rate(30 days); got '{expression}'."
                : $"schedulingExpression must be at least 1 {unit.TrimEnd('s')} and at most 30 days; got '{expression}'.";
            return null;
        }

        return interval;
    }

    /// <summary>The interval of a solution's automatic training, or null when it has none (or its expression does not parse).</summary>
    public static TimeSpan? IntervalOf(Solution solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        return solution.PerformAutoTraining
            ? TryParse(solution.SolutionConfig.AutoTrainingConfig?.SchedulingExpression ?? DefaultSchedulingExpression, out _)
            : null;
    }

    /// <summary>
    /// Why an automatic training of <paramref name="solution"/> is not due at <paramref name="now"/>, or null when it
    /// is: the solution must have automatic training, no version in training, and either no version yet (the first
    /// one starts at the next timer occurrence) or a latest version created at least one interval ago.
    /// </summary>
    public static string? NotDueReason(Solution solution, IReadOnlyCollection<SolutionVersion> versions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentNullException.ThrowIfNull(versions);
        if (IntervalOf(solution) is not { } interval)
        {
            return "no automatic training";
        }

        if (versions.FirstOrDefault(v => !ResourceStatus.IsTerminal(v.State.Status) && v.State.Status != ResourceStatus.DeletePending) is { } running)
        {
            return $"version {running.Name} is {running.State.Status}";
        }

        var latest = versions.Count == 0 ? (DateTimeOffset?)null : versions.Max(v => v.State.CreationDateTime);
        return latest is { } last && now - last < interval
            ? $"the latest version is from {last:O}; the next is due at {last + interval:O}"
            : null;
    }
}
