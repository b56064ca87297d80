using System.ComponentModel.DataAnnotations;
using Recsys.Core.DataLifecycle;
using Recsys.Core.Runtime;
using Recsys.Core.Solutions;

namespace Recsys.Functions.Composition;

/// <summary>HTTP settings (section <c>Recsys:Http</c>, <c>Recsys__Http__…</c> as app settings).</summary>
internal sealed class HttpOptions
{
    public const string Section = "Recsys:Http";

    /// <summary>Largest request body accepted (default 1 MiB); larger bodies get a 413 problem.</summary>
    [Range(1024, 100L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>Serving settings (section <c>Recsys:Serving</c>).</summary>
internal sealed class ServingOptions
{
    public const string Section = "Recsys:Serving";

    /// <summary>How old an item catalogue (metadata for filters and exploration) may get before it is rebuilt.</summary>
    [Range(1, 86_400)]
    public double CatalogRefreshSeconds { get; set; } = ItemCatalogs.DefaultRefreshInterval.TotalSeconds;

    /// <summary>
    /// The most an event received by another instance may take to reach this instance's recommendations: the history
    /// change feed is followed every half of it (<see cref="Core.Events.HistoryCache"/>; 0: recent events are read on
    /// every request). Events sent through the same instance are seen at once.
    /// </summary>
    [Range(0, 60)]
    public double HistoryCacheSeconds { get; set; } = 1;

    /// <summary>Megabytes of model artifacts an instance keeps loaded (0: only the model in use).</summary>
    [Range(0, 1_048_576)]
    public long ModelCacheMegabytes { get; set; } = SolutionModelLoader.DefaultMemoryBudgetBytes / (1024 * 1024);
}

/// <summary>Event compaction settings (section <c>Recsys:Events</c>, beside the event store's own).</summary>
internal sealed class EventCompactionOptions
{
    public const string Section = "Recsys:Events";

    /// <summary>How long before a compaction run events must have been received to be compacted by it.</summary>
    [Range(0, 86_400)]
    public double CompactionSettleSeconds { get; set; } = EventCompactor.DefaultSettleTime.TotalSeconds;
}

/// <summary>Job settings (section <c>Recsys:Jobs</c>).</summary>
internal sealed class JobOptions
{
    public const string Section = "Recsys:Jobs";

    /// <summary>Minutes without a heartbeat after which the watchdog fails an IN_PROGRESS job.</summary>
    [Range(5, 7 * 24 * 60)]
    public double AbandonAfterMinutes { get; set; } = Core.Jobs.JobWatchdog.DefaultAbandonAfter.TotalMinutes;

    /// <summary>Seconds a running job may go without a heartbeat before a redelivery takes it over.</summary>
    [Range(2, 3600)]
    public double LeaseSeconds { get; set; } = Core.Jobs.JobRunner.DefaultLease.TotalSeconds;
}

/// <summary>Training settings (section <c>Recsys:Training</c>): how much of the instance a training may take.</summary>
internal sealed class TrainingOptions
{
    public const string Section = "Recsys:Training";

    /// <summary>Threads training may use; unset (or 0) means all cores but one, so that requests keep a core.</summary>
    [Range(0, 1024)]
    public int MaxDegreeOfParallelism { get; set; }

    /// <summary>Whether the training threads run at lower priority than request handling.</summary>
    public bool LowerPriority { get; set; } = true;
}
