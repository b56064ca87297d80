using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace Recsys.DevHost.Worker;

/// <summary>
/// Writes the worker's <c>RpcLog</c> messages to the dev host's logging under the worker's own categories and
/// levels, so that the usual filters (framework chatter at Warning) apply to them as well.
/// </summary>
internal sealed class WorkerLogForwarder(ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public void Forward(RpcLog log)
    {
        var category = string.IsNullOrEmpty(log.Category) ? "Worker" : log.Category;
        var logger = _loggers.GetOrAdd(category, loggerFactory.CreateLogger);
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None || !logger.IsEnabled(level))
        {
            return;
        }

        if (log.Exception is { } exception && !string.IsNullOrEmpty(exception.Message))
        {
            Log.WorkerLogWithException(logger, level, log.Message, exception.Type, exception.Message);
        }
        else
        {
            Log.WorkerLog(logger, level, log.Message);
        }
    }
}
