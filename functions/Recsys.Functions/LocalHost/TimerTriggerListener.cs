using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using NCrontab;
using Recsys.Functions.Hosting;
using Recsys.Storage;

namespace Recsys.Functions.LocalHost;

/// <summary>
/// Fires timer-triggered functions on their NCRONTAB schedules (six fields, UTC, <c>%Setting%</c> expanded) with
/// the host's TimerInfo payload. Like the host's schedule monitor it keeps each timer's status in
/// <c>azure-webjobs-hosts/timers/{hostId}/Host.Functions.{name}/status</c>, fires a missed occurrence at start
/// with <c>IsPastDue</c>, and takes a blob lease per occurrence so that several instances fire it once.
/// </summary>
internal sealed class TimerTriggerListener(
    FunctionApp app,
    StorageClients storage,
    FunctionInvoker invoker,
    IConfiguration configuration,
    IOptions<LocalHostOptions> options,
    TimeProvider time,
    ILogger<TimerTriggerListener> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.General);

    /// <summary>Parses a schedule as the Functions host does (NCrontab with seconds).</summary>
    public static CrontabSchedule ParseSchedule(string expression, string functionName)
    {
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        return schedule ?? throw new InvalidOperationException(
            $"The schedule '{expression}' of '{functionName}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}).");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timers = new List<Task>();
        foreach (var function in app.Functions.Where(f => f.Trigger == TriggerKind.Timer))
        {
            if (Settings.IsDisabled(configuration, function.Name))
            {
                Log.FunctionDisabled(logger, function.Name);
                continue;
            }

            var schedule = ParseSchedule(Settings.Expand(function.Schedule ?? string.Empty, configuration, function.Name), function.Name);
            timers.Add(RunAsync(function, schedule, stoppingToken));
        }

        return Task.WhenAll(timers);
    }

    private async Task RunAsync(FunctionDefinition function, CrontabSchedule schedule, CancellationToken stoppingToken)
    {
        var container = storage.Container(StorageNames.HostContainer);
        var prefix = $"timers/{options.Value.HostId}/Host.Functions.{function.Name}";
        var statusBlob = container.GetBlobClient(prefix + "/status");
        var lockBlob = container.GetBlobClient(prefix + "/lock");
        await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken);

        try
        {
            await lockBlob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, stoppingToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Exists already.
        }

        var status = function.UseMonitor ? await ReadStatusAsync(statusBlob, stoppingToken) : null;
        var now = time.GetUtcNow().UtcDateTime;
        if (status is not null && status.Next < now)
        {
            await FireAsync(function, schedule, statusBlob, lockBlob, status.Next, isPastDue: true, stoppingToken);
        }
        else if (function.RunOnStartup)
        {
            await FireAsync(function, schedule, statusBlob, lockBlob, now, isPastDue: false, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            Log.TimerScheduled(logger, function.Name, next);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                await FireAsync(function, schedule, statusBlob, lockBlob, next, isPastDue: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task FireAsync(
        FunctionDefinition function, CrontabSchedule schedule, BlobClient statusBlob, BlobClient lockBlob,
        DateTime occurrence, bool isPastDue, CancellationToken stoppingToken)
    {
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
                Log.TimerSkipped(logger, function.Name, occurrence);
                return;
            }

            var timerInfo = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = status is null ? null : new JsonObject
                {
                    ["Last"] = status.Last.ToString("O", CultureInfo.InvariantCulture),
                    ["Next"] = status.Next.ToString("O", CultureInfo.InvariantCulture),
                    ["LastUpdated"] = status.LastUpdated.ToString("O", CultureInfo.InvariantCulture),
                },
                ["IsPastDue"] = isPastDue,
            };

            try
            {
                await invoker.InvokeAsync(function.Name, new JsonObject { [function.BindingName] = timerInfo }, [], stoppingToken);
            }
            catch (HttpRequestException e)
            {
                Log.TimerFailed(logger, function.Name, e);
            }

            // Timers do not retry: the occurrence counts as done whatever the outcome, as with the host.
            var now = time.GetUtcNow().UtcDateTime;
            var next = new TimerStatus(occurrence, schedule.GetNextOccurrence(now), now);
            await statusBlob.UploadAsync(BinaryData.FromObjectAsJson(next, s_json), overwrite: true, CancellationToken.None);
        }
        finally
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
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
