using System.Globalization;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Recsys.Functions.Hosting;
using Recsys.Storage;

namespace Recsys.Functions.LocalHost;

/// <summary>
/// Runs the queue-triggered functions the way the Functions queue extension does: polls with back-off up to
/// <c>maxPollingInterval</c>, runs up to <c>batchSize + newBatchThreshold</c> messages at once, keeps a running
/// message invisible, deletes it on success, makes it visible again after <c>visibilityTimeout</c> on failure,
/// and moves it to <c>{queue}-poison</c> once it has failed <c>maxDequeueCount</c> times.
/// </summary>
internal sealed class QueueTriggerListener(
    FunctionApp app,
    StorageClients storage,
    FunctionInvoker invoker,
    IConfiguration configuration,
    ILogger<QueueTriggerListener> logger) : BackgroundService
{
    // While a message runs it is hidden for this long and renewed at half of it, so that a crashed instance's
    // message comes back within minutes while a long import keeps it.
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_minPoll = TimeSpan.FromMilliseconds(100);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listeners = app.Functions
            .Where(f => f.Trigger == TriggerKind.Queue)
            .Where(f =>
            {
                var disabled = Settings.IsDisabled(configuration, f.Name);
                if (disabled)
                {
                    Log.FunctionDisabled(logger, f.Name);
                }

                return !disabled;
            })
            .Select(f => ListenAsync(f, stoppingToken));
        return Task.WhenAll(listeners);
    }

    private async Task ListenAsync(FunctionDefinition function, CancellationToken stoppingToken)
    {
        var queueName = Settings.Expand(function.QueueName!, configuration, function.Name);
        var queue = storage.Queue(queueName);
        var poison = storage.Queue(queueName + "-poison");
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);

        var options = app.Queues;
        var slots = new SemaphoreSlim(options.BatchSize + options.NewBatchThreshold);
        var running = new List<Task>();
        var delay = s_minPoll;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                var free = slots.CurrentCount;
                if (free < options.BatchSize && running.Count > options.NewBatchThreshold)
                {
                    await Task.WhenAny(running.Append(Task.Delay(Timeout.Infinite, stoppingToken)));
                    continue;
                }

                var take = Math.Clamp(Math.Min(options.BatchSize, free), 1, 32);
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(take, s_lease, stoppingToken);
                if (messages.Length == 0)
                {
                    await Task.Delay(delay, stoppingToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxPollingInterval.Ticks));
                    continue;
                }

                delay = s_minPoll;
                foreach (var message in messages)
                {
                    await slots.WaitAsync(stoppingToken);
                    running.Add(ProcessAsync(function, queue, poison, message, stoppingToken).ContinueWith(
                        _ => slots.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or InvalidOperationException)
            {
                Log.QueueListenerFailed(logger, function.Name, e);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ProcessAsync(FunctionDefinition function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        var text = message.Body.ToString();
        var maxDequeue = app.Queues.MaxDequeueCount;
        if (message.DequeueCount > maxDequeue)
        {
            // Delivered too often already (an earlier instance died while running it).
            await MoveToPoisonAsync(queue, poison, message, message.PopReceipt, text, stoppingToken);
            return;
        }

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var popReceipt = message.PopReceipt;
        var keepHidden = Task.Run(
            async () =>
            {
                while (!renewal.IsCancellationRequested)
                {
                    await Task.Delay(s_lease / 2, renewal.Token);
                    var receipt = await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: s_lease, cancellationToken: renewal.Token);
                    popReceipt = receipt.Value.PopReceipt;
                }
            },
            renewal.Token);

        bool succeeded;
        try
        {
            var data = new JsonObject { [function.BindingName] = text };
            var metadata = new JsonObject
            {
                ["DequeueCount"] = message.DequeueCount.ToString(CultureInfo.InvariantCulture),
                ["Id"] = message.MessageId,
                ["PopReceipt"] = message.PopReceipt,
                ["InsertionTime"] = message.InsertedOn?.ToString("O", CultureInfo.InvariantCulture),
                ["ExpirationTime"] = message.ExpiresOn?.ToString("O", CultureInfo.InvariantCulture),
                ["NextVisibleTime"] = message.NextVisibleOn?.ToString("O", CultureInfo.InvariantCulture),
            };
            var outcome = await invoker.InvokeAsync(function.Name, data, metadata, stoppingToken);
            succeeded = outcome.Succeeded;
        }
        catch (HttpRequestException)
        {
            succeeded = false;
        }
        finally
        {
            await renewal.CancelAsync();
            await keepHidden.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        }
        else if (message.DequeueCount >= maxDequeue)
        {
            await MoveToPoisonAsync(queue, poison, message, popReceipt, text, CancellationToken.None);
        }
        else
        {
            await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: app.Queues.VisibilityTimeout, cancellationToken: CancellationToken.None);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, string popReceipt, string text, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(text, cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
        Log.MovedToPoison(logger, message.MessageId, queue.Name, message.DequeueCount, poison.Name);
    }
}
