using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Recsys.Core.Telemetry;

/// <summary>
/// Recsys's own metrics (meter <see cref="MeterName"/>) and job spans (activity source <see cref="ActivitySourceName"/>),
/// recorded by the use cases and exported by whatever listens (OpenTelemetry in the Functions app). Tags are kept to
/// low-cardinality values: outcomes, dataset types, recipes, phases and campaign names, never user or item ids.
/// </summary>
/// <remarks>
/// Instruments: <c>recsys.events.ingested</c> (events, tag <c>outcome</c> = stored|duplicate),
/// <c>recsys.import.rows</c> (rows, tags <c>outcome</c> = imported|rejected and <c>dataset_type</c>),
/// <c>recsys.import.duration</c> (s, tags <c>dataset_type</c> and <c>status</c>),
/// <c>recsys.training.duration</c> (s, tags <c>recipe</c> and <c>status</c>),
/// <c>recsys.training.phase.duration</c> (s, tags <c>recipe</c> and <c>phase</c>) and
/// <c>recsys.recommendations</c> (requests, tags <c>operation</c> and <c>campaign</c>).
/// </remarks>
public sealed class RecsysMetrics
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string MeterName = "Recsys";

    /// <summary>Name of the activity source that starts job spans.</summary>
    public const string ActivitySourceName = "Recsys";

    private readonly Counter<long> _eventsIngested;
    private readonly Counter<long> _importRows;
    private readonly Histogram<double> _importDuration;
    private readonly Histogram<double> _trainingDuration;
    private readonly Histogram<double> _trainingPhaseDuration;
    private readonly Counter<long> _recommendations;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a new meter without one.</summary>
    public RecsysMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _eventsIngested = Meter.CreateCounter<long>("recsys.events.ingested", "{event}", "Real-time events received by PutEvents.");
        _importRows = Meter.CreateCounter<long>("recsys.import.rows", "{row}", "Rows of import files, by outcome (imported or rejected).");
        _importDuration = Meter.CreateHistogram<double>("recsys.import.duration", "s", "Duration of dataset import jobs.");
        _trainingDuration = Meter.CreateHistogram<double>("recsys.training.duration", "s", "Duration of solution version trainings.");
        _trainingPhaseDuration = Meter.CreateHistogram<double>("recsys.training.phase.duration", "s", "Duration of each phase of a training.");
        _recommendations = Meter.CreateCounter<long>("recsys.recommendations", "{request}", "Recommendation and ranking requests served.");
    }

    /// <summary>The instance used where none is injected (a process-wide meter named <see cref="MeterName"/>).</summary>
    public static RecsysMetrics Default { get; } = new();

    /// <summary>The source of job spans (imports, trainings).</summary>
    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>Records a PutEvents call's outcome: events stored and duplicates ignored.</summary>
    public void EventsIngested(int stored, int duplicates)
    {
        if (stored > 0)
        {
            _eventsIngested.Add(stored, new KeyValuePair<string, object?>("outcome", "stored"));
        }

        if (duplicates > 0)
        {
            _eventsIngested.Add(duplicates, new KeyValuePair<string, object?>("outcome", "duplicate"));
        }
    }

    /// <summary>Records an import job that ended: its rows by outcome and its duration.</summary>
    /// <param name="datasetType">Interactions, Items or Users (or <c>unknown</c>).</param>
    /// <param name="status">The job's final status.</param>
    /// <param name="rowsImported">Rows accepted (0 when the job failed).</param>
    /// <param name="rowsRejected">Rows rejected.</param>
    /// <param name="duration">How long the job ran.</param>
    public void ImportCompleted(string datasetType, string status, long rowsImported, long rowsRejected, TimeSpan duration)
    {
        var type = new KeyValuePair<string, object?>("dataset_type", datasetType);
        if (rowsImported > 0)
        {
            _importRows.Add(rowsImported, new KeyValuePair<string, object?>("outcome", "imported"), type);
        }

        if (rowsRejected > 0)
        {
            _importRows.Add(rowsRejected, new KeyValuePair<string, object?>("outcome", "rejected"), type);
        }

        _importDuration.Record(duration.TotalSeconds, type, new KeyValuePair<string, object?>("status", status));
    }

    /// <summary>Records a training that ended, with the seconds spent in each phase.</summary>
    /// <param name="recipe">The recipe's name.</param>
    /// <param name="status">The version's final status.</param>
    /// <param name="duration">How long the training ran.</param>
    /// <param name="phaseSeconds">Seconds by phase (for example load, tuning, evaluation, final); may be empty.</param>
    public void TrainingCompleted(string recipe, string status, TimeSpan duration, IReadOnlyDictionary<string, double> phaseSeconds)
    {
        ArgumentNullException.ThrowIfNull(phaseSeconds);
        var recipeTag = new KeyValuePair<string, object?>("recipe", recipe);
        _trainingDuration.Record(duration.TotalSeconds, recipeTag, new KeyValuePair<string, object?>("status", status));
        foreach (var (phase, seconds) in phaseSeconds)
        {
            _trainingPhaseDuration.Record(seconds, recipeTag, new KeyValuePair<string, object?>("phase", phase));
        }
    }

    /// <summary>Records a served recommendation or ranking request.</summary>
    /// <param name="operation"><c>recommendations</c> or <c>ranking</c>.</param>
    /// <param name="campaign">The campaign's name (an existing campaign, so the values are few).</param>
    public void RecommendationServed(string operation, string campaign)
        => _recommendations.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("campaign", campaign));
}
