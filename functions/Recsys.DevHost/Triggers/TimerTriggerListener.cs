using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using NCrontab;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Storage;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Triggers;

/// <summary>
/// Fires timer functions on their NCRONTAB schedules (six fields, UTC, <c>%Setting%</c> resolved). As the host's
/// schedule monitor, it keeps each timer's status in <c>azure-webjobs-hosts/timers/{hostId}/{functionFullName}/status</c>
/// (when <c>useMonitor</c>), fires a missed occurrence at start with <c>IsPastDue</c>, honours <c>runOnStartup</c>,
/// and takes a blob lease per occurrence so that several dev hosts sharing the storage fire it once.
/// </summary>
internal sealed class TimerTriggerListener(
    WorkerHost workerHost,
    FunctionInvoker invoker,
    StorageClients storage,
    StorageHealth health,
    AppSettings settings,
    IOptions<DevHostOptions> options,
    TimeProvider time,
    ILogger<TimerTriggerListener> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.General);

    /// <summary>Parses a schedule as the Functions host does (NCrontab with seconds).</summary>
    public static CrontabSchedule ParseSchedule(string expression, string functionName)
        => CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new InvalidDataException(
                $"The schedule '{expression}' of '{functionName}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}).");

    /// <summary>The host's default for <c>useMonitor</c>: on when occurrences are more than a minute apart.</summary>
    public static bool MonitorByDefault(CrontabSchedule schedule, DateTime now)
    {
        var first = schedule.GetNextOccurrence(now);
        return schedule.GetNextOccurrence(first) - first > TimeSpan.FromMinutes(1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timers = new List<Task>();
        foreach (var function in await Loop.EnabledFunctionsAsync(workerHost, settings, TriggerKind.Timer, logger, stoppingToken))
        {
            try
            {
                var schedule = ParseSchedule(settings.Expand(function.Property("schedule") ?? string.Empty, function.Name), function.Name);
                timers.Add(Loop.GuardAsync(logger, "timer " + function.Name, () => RunAsync(function, schedule, stoppingToken)));
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
            {
                Log.TriggerMisconfigured(logger, function.Name, e.Message);
            }
        }

        await Task.WhenAll(timers);
    }

    private async Task RunAsync(WorkerFunction function, CrontabSchedule schedule, CancellationToken stoppingToken)
    {
        var container = storage.Container(StorageClients.HostContainer);
        var statusBlob = container.GetBlobClient($"timers/{options.Value.HostId}/{function.FullName}/status");
        var lockBlob = container.GetBlobClient($"locks/{options.Value.HostId}/{function.FullName}.TimerLock");
        var useMonitor = bool.TryParse(function.Property("useMonitor"), out var monitor)
            ? monitor
            : MonitorByDefault(schedule, time.GetUtcNow().UtcDateTime);
        var runOnStartup = bool.TryParse(function.Property("runOnStartup"), out var onStartup) && onStartup;

        // Start-up: a missed occurrence (past due) or runOnStartup fires at once.
        var backoff = new Backoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                var status = useMonitor ? await ReadStatusAsync(statusBlob, stoppingToken) : null;
                var now = time.GetUtcNow().UtcDateTime;
                if (status is not null && status.Next < now)
                {
                    await FireAsync(function, schedule, statusBlob, lockBlob, useMonitor, status.Next, isPastDue: true, stoppingToken);
                }
                else if (runOnStartup)
                {
                    await FireAsync(function, schedule, statusBlob, lockBlob, useMonitor, now, isPastDue: false, stoppingToken);
                }

                health.Succeeded();
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Through an outage the start-up check is tried again; a start-up firing that fails otherwise is
                // skipped, and the schedule goes on.
                if (health.Report("timer " + function.Name, e) != LoopFault.Outage)
                {
                    break;
                }

                await backoff.DelayAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            Log.TimerScheduled(logger, function.Name, next);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                await FireAsync(function, schedule, statusBlob, lockBlob, useMonitor, next, isPastDue: false, stoppingToken);
                health.Succeeded();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // This occurrence is lost, as it would be for a host that cannot reach its lock; the next fires on time.
                health.Report("timer " + function.Name, e);
            }
        }
    }

    private async Task FireAsync(
        WorkerFunction function, CrontabSchedule schedule, BlobClient statusBlob, BlobClient lockBlob, bool useMonitor,
        DateTime occurrence, bool isPastDue, CancellationToken stoppingToken)
    {
        try
        {
            await lockBlob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, stoppingToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The lock blob exists already.
        }

        var lease = lockBlob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(TimeSpan.FromSeconds(60), cancellationToken: stoppingToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            Log.TimerSkipped(logger, function.Name, occurrence);
            return;
        }

        try
        {
            var status = await ReadStatusAsync(statusBlob, stoppingToken);
            if (status is not null && status.Last >= occurrence)
            {
                // Another dev host fired this occurrence already.
                Log.TimerSkipped(logger, function.Name, occurrence);
                return;
            }

            var timerInfo = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = useMonitor && status is not null ? new JsonObject
                {
                    ["Last"] = status.Last.ToString("O", CultureInfo.InvariantCulture),
                    ["Next"] = status.Next.ToString("O", CultureInfo.InvariantCulture),
                    ["LastUpdated"] = status.LastUpdated.ToString("O", CultureInfo.InvariantCulture),
                } : null,
                ["IsPastDue"] = isPastDue,
            };

            var request = FunctionInvoker.NewRequest(function);
            request.InputData.Add(new Microsoft.Azure.Functions.Worker.Grpc.Messages.ParameterBinding { Name = function.TriggerName, Data = FunctionInvoker.Json(timerInfo.ToJsonString()) });

            // Keep the lease while the function runs, so that no other instance takes the same occurrence.
            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var keep = RenewAsync(lease, renewal.Token);
            try
            {
                await invoker.InvokeAsync(function, request, stoppingToken);
            }
            finally
            {
                await renewal.CancelAsync();
                await keep.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            // Timers do not retry: the occurrence counts as done whatever the outcome, as with the host. The status
            // is written whether or not useMonitor is on, so that a second dev host skips this occurrence.
            var now = time.GetUtcNow().UtcDateTime;
            var next = new TimerStatus(occurrence, schedule.GetNextOccurrence(now), now);
            await statusBlob.UploadAsync(BinaryData.FromObjectAsJson(next, s_json), overwrite: true, CancellationToken.None);
        }
        finally
        {
            await LeaseRelease.QuietlyAsync(lease);
        }
    }

    private static async Task RenewAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
            await lease.RenewAsync(cancellationToken: cancellationToken);
        }
    }

    private static async Task<TimerStatus?> ReadStatusAsync(BlobClient statusBlob, CancellationToken cancellationToken)
    {
        try
        {
            var content = await statusBlob.DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<TimerStatus>(s_json);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The schedule monitor's record, as the host keeps it.</summary>
    internal sealed record TimerStatus(DateTime Last, DateTime Next, DateTime LastUpdated);
}
