using Microsoft.Extensions.Logging;

namespace Recsys.Functions.Jobs;

/// <summary>Source-generated log messages of the job and timer functions: one line per job phase and outcome.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "{Kind} job {Job}: {Line}")]
    public static partial void JobPhase(ILogger logger, string kind, string job, string line);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "{Kind} job {Job}: {Status}, {Summary} (delivery {Delivery})")]
    public static partial void JobEnded(ILogger logger, string kind, string job, string status, string summary, int delivery);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Kind} job {Job} is being run by another delivery; delivery {Delivery} looks again in {Seconds} s")]
    public static partial void JobBusy(ILogger logger, string kind, string job, int delivery, double seconds);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "{Kind} job {Job}: nothing to do ({Result}, delivery {Delivery})")]
    public static partial void JobSkipped(ILogger logger, string kind, string job, Recsys.Core.Jobs.JobRunResult result, int delivery);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "The {Kind} job {Job} was poisoned: marked failed")]
    public static partial void JobPoisoned(ILogger logger, string kind, string job);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "A message on {Queue}-poison names no job and was dropped: {Reason}")]
    public static partial void UnreadablePoisonMessage(ILogger logger, string queue, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "{Kind} job {Job} was abandoned (no heartbeat, or never started): marked failed")]
    public static partial void JobAbandoned(ILogger logger, string kind, string job);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Import sweep: {Queued} new file(s) queued{PastDue}")]
    public static partial void ImportSweep(ILogger logger, int queued, string pastDue);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Dropped file imports/{Blob} ({ETag}) queued for import")]
    public static partial void DropQueued(ILogger logger, string blob, string etag);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Dropped file imports/{Blob} is gone or was already queued")]
    public static partial void DropSkipped(ILogger logger, string blob);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "Retrain: started automatic version {Version}")]
    public static partial void RetrainStarted(ILogger logger, string version);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "Retrain: skipped {Solution}: {Reason}")]
    public static partial void RetrainSkipped(ILogger logger, string solution, string reason);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information, Message = "Campaign refresh: {Campaign} now serves {Version} (was {Previous})")]
    public static partial void CampaignRefreshed(ILogger logger, string campaign, string version, string previous);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Information, Message = "Campaign refresh: skipped {Campaign}: {Reason}")]
    public static partial void CampaignRefreshSkipped(ILogger logger, string campaign, string reason);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Information, Message = "Event compaction: {Group}: {Events} events into {Segment}, {RowsDeleted} event rows removed")]
    public static partial void Compacted(ILogger logger, string group, long events, string segment, long rowsDeleted);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Warning, Message = "Event compaction: skipped {Group}: {Reason}")]
    public static partial void CompactionSkipped(ILogger logger, string group, string reason);
}
