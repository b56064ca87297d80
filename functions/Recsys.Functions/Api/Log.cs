namespace Recsys.Functions.Api;

/// <summary>Source-generated log messages of the HTTP API.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Request to {Path} failed")]
    public static partial void UnhandledFailure(ILogger logger, string path, Exception exception);
}
