namespace Recsys.Functions.LocalHost;

/// <summary>Source-generated log messages of the local host.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Local Functions host listening on {Address} with {Count} functions")]
    public static partial void Started(ILogger logger, string address, int count);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Executed '{Function}' (Succeeded, Id={InvocationId}, Duration={Milliseconds}ms)")]
    public static partial void InvocationSucceeded(ILogger logger, string function, string invocationId, long milliseconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Executed '{Function}' (Failed, Id={InvocationId}, Status={Status}): {Detail}")]
    public static partial void InvocationFailed(ILogger logger, string function, string invocationId, int status, string detail);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "{Function}: {Line}")]
    public static partial void InvocationLog(ILogger logger, string function, string line);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Timer '{Function}' next occurrence {Next:o}")]
    public static partial void TimerScheduled(ILogger logger, string function, DateTime next);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Timer '{Function}' skipped {Occurrence:o}: another instance ran it")]
    public static partial void TimerSkipped(ILogger logger, string function, DateTime occurrence);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Message {MessageId} on '{Queue}' failed {DequeueCount} times; moved to '{PoisonQueue}'")]
    public static partial void MovedToPoison(ILogger logger, string messageId, string queue, long dequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error, Message = "Queue listener for '{Function}' failed; retrying")]
    public static partial void QueueListenerFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information, Message = "New blob '{Blob}' (ETag {ETag}) in the imports container: queued for import")]
    public static partial void BlobQueued(ILogger logger, string blob, string etag);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Error, Message = "Scanning the imports container failed; retrying")]
    public static partial void BlobScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Error, Message = "Timer '{Function}' failed; it will fire at its next occurrence")]
    public static partial void TimerFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(EventId = 2050, Level = LogLevel.Information, Message = "Function '{Function}' is disabled by its AzureWebJobs.{Function}.Disabled setting")]
    public static partial void FunctionDisabled(ILogger logger, string function);

    [LoggerMessage(EventId = 2060, Level = LogLevel.Information, Message = "Started Azurite with data in {Location}")]
    public static partial void AzuriteStarted(ILogger logger, string location);

    [LoggerMessage(EventId = 2061, Level = LogLevel.Warning, Message = "Azurite: {Line}")]
    public static partial void AzuriteOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 2070, Level = LogLevel.Information, Message = "Demo: the dataset group '{DatasetGroup}' exists already; nothing to load")]
    public static partial void DemoPresent(ILogger logger, string datasetGroup);

    [LoggerMessage(EventId = 2071, Level = LogLevel.Information, Message = "Demo: dropped {Interactions} interactions of {Users} users on {Items} items into the imports container")]
    public static partial void DemoDropped(ILogger logger, long interactions, int users, int items);

    [LoggerMessage(EventId = 2072, Level = LogLevel.Information, Message = "Demo: import of imports/{File} {Status}: {Imported} rows imported, {Rejected} rejected")]
    public static partial void DemoImported(ILogger logger, string file, string status, long imported, long rejected);

    [LoggerMessage(EventId = 2073, Level = LogLevel.Information, Message = "Demo: training {SolutionVersion}")]
    public static partial void DemoTraining(ILogger logger, string solutionVersion);

    [LoggerMessage(EventId = 2074, Level = LogLevel.Warning, Message = "Demo: training {SolutionVersion} did not finish: {Reason}")]
    public static partial void DemoTrainingFailed(ILogger logger, string solutionVersion, string reason);

    [LoggerMessage(EventId = 2075, Level = LogLevel.Information, Message = "Demo: campaign '{Campaign}' recommends for user u42: {Items}")]
    public static partial void DemoRecommendations(ILogger logger, string campaign, string items);
}
