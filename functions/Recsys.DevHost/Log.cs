namespace Recsys.DevHost;

/// <summary>Source-generated log messages of the dev host. Keys never appear in any of them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "  {Trigger} {Function}: {Detail}")]
    public static partial void FunctionListed(ILogger logger, string trigger, string function, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "The dev host cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "App settings from {File}")]
    public static partial void SettingsFrom(ILogger logger, string file);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Worker process {ProcessId} launched: {Assembly}")]
    public static partial void WorkerLaunched(ILogger logger, int processId, string assembly);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Worker process {ProcessId} ready in {Milliseconds} ms (HTTP at {HttpUri})")]
    public static partial void WorkerReady(ILogger logger, int processId, long milliseconds, string httpUri);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Worker process {ProcessId} exited ({ExitCode})")]
    public static partial void WorkerExited(ILogger logger, int processId, string exitCode);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Restarting the worker in {Seconds} s")]
    public static partial void WorkerRestarting(ILogger logger, double seconds);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "Worker failed: {Reason}")]
    public static partial void WorkerFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "Function '{Function}' did not load: {Reason}")]
    public static partial void FunctionLoadFailed(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "Function '{Function}' is not loaded: its route '{Route}' starts with a prefix the host reserves (admin, runtime)")]
    public static partial void ReservedRoute(ILogger logger, string function, string route);

    [LoggerMessage(EventId = 17, Level = LogLevel.Debug, Message = "{Line}")]
    public static partial void WorkerStdout(ILogger logger, string line);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "{Line}")]
    public static partial void WorkerStderr(ILogger logger, string line);

    [LoggerMessage(EventId = 19, Message = "{Message}")]
    public static partial void WorkerLog(ILogger logger, LogLevel level, string message);

    [LoggerMessage(EventId = 20, Message = "{Message} ({ExceptionType}: {ExceptionMessage})")]
    public static partial void WorkerLogWithException(ILogger logger, LogLevel level, string message, string exceptionType, string exceptionMessage);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "The gRPC stream opened without StartStream; closed")]
    public static partial void StreamWithoutStart(ILogger logger);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "A worker with the unknown id {WorkerId} connected; closed")]
    public static partial void UnknownWorker(ILogger logger, string workerId);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Executed '{Function}' (Succeeded, Id={InvocationId}, Duration={Milliseconds}ms)")]
    public static partial void InvocationSucceeded(ILogger logger, string function, string invocationId, long milliseconds);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Executed '{Function}' (Succeeded, Id={InvocationId}, Duration={Milliseconds}ms)")]
    public static partial void HttpInvocationSucceeded(ILogger logger, string function, string invocationId, long milliseconds);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Executed '{Function}' (Failed, Id={InvocationId}): {Reason}")]
    public static partial void InvocationFailed(ILogger logger, string function, string invocationId, string reason);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "'{Function}' (Id={InvocationId}) exceeded the functionTimeout of {Timeout}; cancelled")]
    public static partial void HttpTimedOut(ILogger logger, string function, string invocationId, TimeSpan timeout);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "'{Function}' (Id={InvocationId}) lost its worker: {Reason}")]
    public static partial void HttpWorkerLost(ILogger logger, string function, string invocationId, string reason);

    [LoggerMessage(EventId = 35, Level = LogLevel.Debug, Message = "Invocation {InvocationId} failed before the HTTP answer: {Reason}")]
    public static partial void HttpInvocationFailed(ILogger logger, string invocationId, string reason);

    [LoggerMessage(EventId = 36, Level = LogLevel.Warning, Message = "'{Function}' returned the output '{Binding}' of type {Type}, which the dev host does not write")]
    public static partial void UnsupportedOutput(ILogger logger, string function, string binding, string type);

    [LoggerMessage(EventId = 37, Level = LogLevel.Warning, Message = "Manual run of '{Function}' failed: {Reason}")]
    public static partial void ManualRunFailed(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Storage unreachable ({Loop}: {Reason}); background work backs off until it answers again")]
    public static partial void StorageUnreachable(ILogger logger, string loop, string reason);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Storage is back")]
    public static partial void StorageBack(ILogger logger);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "Storage rejected a request of the {Loop} ({Status} {Code}); not retried")]
    public static partial void StorageRejected(ILogger logger, string loop, int status, string code);

    [LoggerMessage(EventId = 43, Level = LogLevel.Error, Message = "The {Loop} failed ({Reason}); it carries on")]
    public static partial void LoopFailed(ILogger logger, string loop, string reason);

    [LoggerMessage(EventId = 44, Level = LogLevel.Error, Message = "The {Loop} stopped ({Reason}); the rest of the host runs on")]
    public static partial void LoopStopped(ILogger logger, string loop, string reason);

    [LoggerMessage(EventId = 50, Level = LogLevel.Debug, Message = "Timer '{Function}' next occurrence {Next:o}")]
    public static partial void TimerScheduled(ILogger logger, string function, DateTime next);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "Timer '{Function}' skipped {Occurrence:o}: another instance ran it")]
    public static partial void TimerSkipped(ILogger logger, string function, DateTime occurrence);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning, Message = "Message {MessageId} on '{Queue}' was delivered {DequeueCount} times; moved to '{PoisonQueue}'")]
    public static partial void MovedToPoison(ILogger logger, string messageId, string queue, long dequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 53, Level = LogLevel.Information, Message = "Blob '{Blob}' (ETag {ETag}) to '{Function}', attempt {Attempt}")]
    public static partial void BlobDelivering(ILogger logger, string function, string blob, string etag, int attempt);

    [LoggerMessage(EventId = 54, Level = LogLevel.Warning, Message = "Blob '{Blob}' (ETag {ETag}) failed in '{Function}' too often; reported to '{PoisonQueue}'")]
    public static partial void BlobPoisoned(ILogger logger, string function, string blob, string etag, string poisonQueue);

    [LoggerMessage(EventId = 55, Level = LogLevel.Information, Message = "Function '{Function}' is disabled by its AzureWebJobs.{Function}.Disabled setting")]
    public static partial void FunctionDisabled(ILogger logger, string function);

    [LoggerMessage(EventId = 56, Level = LogLevel.Error, Message = "Function '{Function}' does not run: {Reason}")]
    public static partial void TriggerMisconfigured(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Azurite answers on the development-storage ports ({Server})")]
    public static partial void AzuriteFound(ILogger logger, string server);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Started Azurite (process {ProcessId}) with data in {Location}")]
    public static partial void AzuriteStarted(ILogger logger, int processId, string location);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "Azurite: {Line}")]
    public static partial void AzuriteOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "Node.js {Version} is older than Azurite declares ({Engines}); it usually runs, but install a newer Node.js if Azurite fails")]
    public static partial void NodeOlderThanDeclared(ILogger logger, string version, string engines);

    [LoggerMessage(EventId = 70, Level = LogLevel.Information, Message = "Demo: '{Campaign}' exists already; showing its recommendations")]
    public static partial void DemoPresent(ILogger logger, string campaign);

    [LoggerMessage(EventId = 71, Level = LogLevel.Information, Message = "Demo: dropped {Interactions} interactions of {Users} users on {Items} items into the imports container")]
    public static partial void DemoDropped(ILogger logger, long interactions, int users, int items);

    [LoggerMessage(EventId = 72, Level = LogLevel.Information, Message = "Demo: import of {File} {Status}: {Imported} rows imported, {Rejected} rejected")]
    public static partial void DemoImported(ILogger logger, string file, string status, long imported, long rejected);

    [LoggerMessage(EventId = 73, Level = LogLevel.Information, Message = "Demo: training {SolutionVersion}")]
    public static partial void DemoTraining(ILogger logger, string solutionVersion);

    [LoggerMessage(EventId = 74, Level = LogLevel.Information, Message = "Demo: training {Phase}")]
    public static partial void DemoTrainingProgress(ILogger logger, string phase);

    [LoggerMessage(EventId = 75, Level = LogLevel.Information, Message = "Demo: campaign '{Campaign}' recommends for user u42: {Items}")]
    public static partial void DemoRecommendations(ILogger logger, string campaign, string items);

    [LoggerMessage(EventId = 76, Level = LogLevel.Warning, Message = "Demo stopped: {Reason}")]
    public static partial void DemoFailed(ILogger logger, string reason);
}
