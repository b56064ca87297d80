using System.Globalization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Storage;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Triggers;

/// <summary>
/// Runs queue-triggered functions as the queue extension does, with host.json <c>extensions.queues</c>: polls with
/// back-off up to <c>maxPollingInterval</c>, fetches <c>batchSize</c> and fetches more when no more than
/// <c>newBatchThreshold</c> still run, keeps a running message invisible (renewed), deletes it on success, makes it
/// visible again after <c>visibilityTimeout</c> on failure, and moves it to <c>{queue}-poison</c> after
/// <c>maxDequeueCount</c> failed deliveries. A message delivered more often than that (every delivery killed the
/// worker) goes to the poison queue without being invoked again.
/// </summary>
internal sealed class QueueTriggerListener(
    WorkerHost workerHost,
    FunctionInvoker invoker,
    StorageClients storage,
    StorageHealth health,
    AppSettings settings,
    WorkerApp app,
    ILogger<QueueTriggerListener> logger) : BackgroundService
{
    // A running message is hidden for this long and renewed at half of it: a dead host's message comes back soon,
    // a long job keeps it.
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_minPoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listeners = new List<Task>();
        foreach (var function in await Loop.EnabledFunctionsAsync(workerHost, settings, TriggerKind.Queue, logger, stoppingToken))
        {
            try
            {
                var queueName = settings.Expand(function.Property("queueName") ?? string.Empty, function.Name).ToLowerInvariant();
                listeners.Add(Loop.GuardAsync(logger, "queue " + queueName, () => ListenAsync(function, storage.Queue(queueName, function.Connection), storage.Queue(queueName + "-poison", function.Connection), stoppingToken)));
            }
            catch (InvalidOperationException e)
            {
                Log.TriggerMisconfigured(logger, function.Name, e.Message);
            }
        }

        await Task.WhenAll(listeners);
    }

    private async Task ListenAsync(WorkerFunction function, QueueClient queue, QueueClient poison, CancellationToken stoppingToken)
    {
        var options = app.HostJson.Queues;
        var running = new List<Task>();
        var delay = s_minPoll;
        var backoff = new Backoff();
        var created = false;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!created)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                    await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                    created = true;
                }

                running.RemoveAll(t => t.IsCompleted);
                if (running.Count > options.NewBatchThreshold)
                {
                    await Task.WhenAny(running).WaitAsync(stoppingToken);
                    continue;
                }

                // Wait for a worker before taking messages: a message must not burn a delivery while none runs.
                await workerHost.WaitReadyAsync(stoppingToken);
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(options.BatchSize, s_lease, stoppingToken);
                health.Succeeded();
                backoff.Reset();
                if (messages.Length == 0)
                {
                    await Task.Delay(delay, stoppingToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxPollingInterval.Ticks));
                    continue;
                }

                delay = s_minPoll;
                foreach (var message in messages)
                {
                    running.Add(ProcessAsync(function, queue, poison, message, stoppingToken));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // The queue went away (storage emptied): create it again.
                created = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A 4xx is not retried: wait for the longest poll before looking again; otherwise back off.
                await (health.Report("queue " + queue.Name, e) == LoopFault.Rejected
                    ? Task.Delay(options.MaxPollingInterval, stoppingToken)
                    : backoff.DelayAsync(stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ProcessAsync(WorkerFunction function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        var maxDequeue = app.HostJson.Queues.MaxDequeueCount;
        var popReceipt = message.PopReceipt;
        try
        {
            if (message.DequeueCount > maxDequeue)
            {
                // Every earlier delivery ended without an answer (the worker or host died): do not invoke again.
                await MoveToPoisonAsync(queue, poison, message, popReceipt, stoppingToken);
                return;
            }

            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
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

            InvocationOutcome outcome;
            try
            {
                var request = FunctionInvoker.NewRequest(function);
                request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = FunctionInvoker.Text(message.Body.ToString()) });
                request.TriggerMetadata["Id"] = FunctionInvoker.Text(message.MessageId);
                request.TriggerMetadata["PopReceipt"] = FunctionInvoker.Text(message.PopReceipt);
                request.TriggerMetadata["DequeueCount"] = FunctionInvoker.Json(message.DequeueCount.ToString(CultureInfo.InvariantCulture));
                request.TriggerMetadata["InsertionTime"] = Time(message.InsertedOn);
                request.TriggerMetadata["ExpirationTime"] = Time(message.ExpiresOn);
                request.TriggerMetadata["NextVisibleTime"] = Time(message.NextVisibleOn);
                request.TriggerMetadata["QueueTrigger"] = FunctionInvoker.Text(message.Body.ToString());
                outcome = await invoker.InvokeAsync(function, request, stoppingToken);
            }
            finally
            {
                await renewal.CancelAsync();
                await keepHidden.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (outcome.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
            }
            else if (message.DequeueCount >= maxDequeue)
            {
                await MoveToPoisonAsync(queue, poison, message, popReceipt, CancellationToken.None);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: app.HostJson.Queues.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message becomes visible again when its lease runs out.
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The message reappears after its visibility timeout and is delivered again.
            health.Report("queue " + queue.Name, e);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, string popReceipt, CancellationToken cancellationToken)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
        Log.MovedToPoison(logger, message.MessageId, queue.Name, message.DequeueCount, poison.Name);
    }

    private static TypedData Time(DateTimeOffset? value)
        => FunctionInvoker.Json(value is { } v ? "\"" + v.ToString("O", CultureInfo.InvariantCulture) + "\"" : "null");
}
