using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Events;
using Recsys.Functions.Tests;
using Recsys.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Recsys.FaultInjection.Tests;

/// <summary>The faults the suite injects, and what it reads back afterwards.</summary>
internal static class Faults
{
    /// <summary>
    /// Settings that make recovery fast enough to test: a job whose heartbeat stopped for 3 s is taken over, a failed
    /// delivery is visible again at once, three deliveries before the poison queue, queues polled every 200 ms.
    /// </summary>
    public static Dictionary<string, string?> FastRecovery() => new()
    {
        ["Recsys:Jobs:LeaseSeconds"] = "3",
        ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "3",
        ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
        ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200",
    };

    /// <summary>Kills the dev host's worker process as an out-of-memory kill would (no goodbye); returns its id.</summary>
    public static async Task<int> KillWorkerAsync(FunctionsHost host)
    {
        var status = await host.Process.StatusAsync();
        var pid = (int?)status["worker"]?["processId"] ?? throw new InvalidOperationException("The dev host reports no worker process: " + status.ToJsonString());
        using var worker = Process.GetProcessById(pid);
        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync();
        return pid;
    }

    /// <summary>Waits until the dev host's worker is a process other than <paramref name="killed"/> and answers.</summary>
    public static Task WorkerBackAsync(FunctionsHost host, int killed)
        => Eventually.HoldsAsync(
            async () =>
            {
                var pid = (int?)(await host.Process.StatusAsync())["worker"]?["processId"];
                using var health = await host.Client.GetAsync("/api/health");
                return pid is { } p && p != killed && health.StatusCode == HttpStatusCode.OK;
            },
            "the dev host restarted the worker",
            TimeSpan.FromSeconds(90));
}

/// <summary>
/// PutEvents from several clients until stopped, each event with its own id; remembers which events the service
/// acknowledged (200) and what else it answered.
/// </summary>
internal sealed class PutEventsLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private readonly ConcurrentBag<string> _acknowledged = [];
    private readonly ConcurrentDictionary<string, int> _answers = new();

    public PutEventsLoad(FunctionsHost host, string trackingId, int clients = 4)
    {
        _clients = [.. Enumerable.Range(0, clients).Select(c => Task.Run(() => RunAsync(host, trackingId, c)))];
    }

    /// <summary>Event ids answered with 200: stored, by the API's promise.</summary>
    public IReadOnlyCollection<string> Acknowledged => _acknowledged;

    /// <summary>Every answer by status (and whether a 503 carried Retry-After), or the transport error.</summary>
    public IReadOnlyDictionary<string, int> Answers => _answers;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    /// <summary>Every acknowledged event id that is not in the event store.</summary>
    public async Task<IReadOnlyList<string>> LostAsync(FunctionsHost host, string datasetGroup)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in host.Services.GetRequiredService<IEventStore>().ReadAllAsync(datasetGroup))
        {
            if (e.EventId is { } id)
            {
                stored.Add(id);
            }
        }

        return [.. _acknowledged.Where(id => !stored.Contains(id))];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(FunctionsHost host, string trackingId, int client)
    {
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        for (var call = 0; !_stop.IsCancellationRequested && call < 100_000; call++)
        {
            var ids = Enumerable.Range(0, 5).Select(i => $"c{client}-{call}-{i}").ToArray();
            var body = new JsonObject
            {
                ["trackingId"] = trackingId,
                ["sessionId"] = $"s{client}",
                ["userId"] = $"u{(call * 7 + client) % 300}",
                ["eventList"] = new JsonArray([.. ids.Select((id, i) => (JsonNode)new JsonObject
                {
                    ["eventId"] = id, ["eventType"] = "click", ["itemId"] = $"i{(call + i) % 150}", ["sentAt"] = 1_735_000_000 + call,
                })]),
            };
            string answer;
            try
            {
                using var request = FunctionsHost.WithKey(HttpMethod.Post, "/api/events", FunctionsHost.HostKey, body);
                using var response = await http.SendAsync(request);
                answer = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null ? " with Retry-After" : string.Empty);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    foreach (var id in ids)
                    {
                        _acknowledged.Add(id);
                    }
                }
                else
                {
                    await Task.Delay(200);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                answer = e.GetType().Name;
                await Task.Delay(200);
            }

            _answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
        }
    }
}
