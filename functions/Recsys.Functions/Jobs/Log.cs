using Microsoft.Extensions.Logging;

namespace Recsys.Functions.Jobs;

/// <summary>Source-generated log messages of the job and timer functions: one line per job phase and outcome.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Import {Job} of imports/{Blob}: {Status}, {RowsRead} rows read, {RowsImported} imported, {RowsRejected} rejected (delivery {Delivery}) {Reason}")]
    public static partial void ImportEnded(ILogger logger, string job, string blob, string status, long rowsRead, long rowsImported, long rowsRejected, int delivery, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Training {Version}: {Status}, phase {Phase} (delivery {Delivery}) {Reason}")]
    public static partial void TrainingEnded(ILogger logger, string version, string status, string phase, int delivery, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Kind} job {Job}: {Status}, {Detail} (delivery {Delivery})")]
    public static partial void BatchJobEnded(ILogger logger, string kind, string job, string status, string detail, int delivery);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "The {Kind} job {Job} was poisoned: marked failed")]
    public static partial void JobPoisoned(ILogger logger, string kind, string job);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "A message on {Queue}-poison names no job and was dropped: {Reason}")]
    public static partial void UnreadablePoisonMessage(ILogger logger, string queue, string reason);

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
