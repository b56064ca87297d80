using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Recsys.DevHost.TestWorker;

/// <summary>Timer, queue and blob functions; each records what it received.</summary>
public sealed partial class TriggerFunctions
{
    [Function("Tick")]
    public static Task Tick([TimerTrigger("%TickSchedule%", UseMonitor = true)] TimerInfo timer, FunctionContext context)
        => Records.WriteAsync("timer", "Tick", new
        {
            isPastDue = timer.IsPastDue,
            last = timer.ScheduleStatus?.Last,
            next = timer.ScheduleStatus?.Next,
            invocationId = context.InvocationId,
        }, context.CancellationToken);

    [Function("Work")]
    public static async Task Work([QueueTrigger("%WorkQueue%", Connection = "AzureWebJobsStorage")] string message, long dequeueCount, string id, FunctionContext context)
    {
        var logger = context.GetLogger("Recsys.TestWorker.Work");
        WorkReceived(logger, message, dequeueCount);
        await Records.WriteAsync("queue", message, new { message, dequeueCount, id }, context.CancellationToken);
        if (message.StartsWith("crash", StringComparison.Ordinal))
        {
            // Every delivery kills the worker: only the host's poison check (without invoking) ends this message.
            Process.GetCurrentProcess().Kill();
        }

        if (message.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Failing '{message}' on purpose (delivery {dequeueCount}).");
        }
    }

    [Function("ImportDrop")]
    public static async Task ImportDrop(
        [BlobTrigger("imports/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name,
        FunctionContext context)
    {
        var properties = await blob.GetPropertiesAsync(cancellationToken: context.CancellationToken);
        await Records.WriteAsync("blob", name.Replace('/', '_'), new
        {
            name,
            container = blob.BlobContainerName,
            blobName = blob.Name,
            etag = properties.Value.ETag.ToString(),
            length = properties.Value.ContentLength,
        }, context.CancellationToken);
        if (name.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Failing '{name}' on purpose.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Work received {Message} (delivery {DequeueCount})")]
    private static partial void WorkReceived(ILogger logger, string message, long dequeueCount);
}
