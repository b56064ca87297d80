using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Events;
using Recsys.Functions;
using Recsys.Functions.Tests;
using Recsys.Testing;

namespace Recsys.Benchmarks.Http;

/// <summary>Settings of the PutEvents benchmark.</summary>
internal sealed record PutEventsBenchmarkOptions
{
    public int Clients { get; init; } = 32;

    public double Seconds { get; init; } = 30;

    public int MaxCalls { get; init; } = 200_000;

    public int Users { get; init; } = 20_000;

    public int Items { get; init; } = 10_000;
}

/// <summary>
/// Starts Azurite, the dev host and the worker as processes, then lets concurrent clients send PutEvents calls of 10 events over
/// loopback HTTP until the time or call budget is spent. Reports sustained events/s and latency percentiles, then
/// counts what the event store holds to prove that every accepted event was stored exactly once.
/// </summary>
internal static class PutEventsBenchmark
{
    private const string HostKey = FunctionsHost.HostKey;
    private const string MasterKey = FunctionsHost.MasterKey;
    private const string DatasetGroup = "bench";
    private const int EventsPerCall = 10;

    public static async Task<JsonObject> RunAsync(PutEventsBenchmarkOptions options)
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Recsys:LocalHost:WatchImports"] = "false",
            ["AzureWebJobs.importJob.Disabled"] = "true",
        });
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            using var http = new HttpClient(handler) { BaseAddress = host.BaseAddress };
            var trackingId = await CreateTrackerAsync(http);

            // Warm up the JIT, connections and tables; these events are counted as stored too.
            var warmup = await RunClientsAsync(http, trackingId, options with { Seconds = 3, MaxCalls = 300 }, seed: 1);
            var run = await RunClientsAsync(http, trackingId, options, seed: 2);

            var store = host.Services.GetRequiredService<IEventStore>();
            var watch = Stopwatch.StartNew();
            var stored = 0;
            var ids = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var e in store.ReadAllAsync(DatasetGroup))
            {
                stored++;
                ids.Add(e.UserId + "\u001f" + e.EventId);
            }

            var countSeconds = watch.Elapsed.TotalSeconds;
            var accepted = warmup.AcceptedEvents + run.AcceptedEvents;
            var latencies = run.Latencies.ToArray();
            Array.Sort(latencies);
            return new JsonObject
            {
                ["clients"] = options.Clients,
                ["eventsPerCall"] = EventsPerCall,
                ["users"] = options.Users,
                ["items"] = options.Items,
                ["seconds"] = Math.Round(run.Seconds, 2),
                ["calls"] = run.Calls,
                ["events"] = run.AcceptedEvents,
                ["eventsPerSecond"] = Math.Round(run.AcceptedEvents / run.Seconds),
                ["callsPerSecond"] = Math.Round(run.Calls / run.Seconds, 1),
                ["latencyMs"] = new JsonObject
                {
                    ["p50"] = Percentile(latencies, 0.50),
                    ["p90"] = Percentile(latencies, 0.90),
                    ["p99"] = Percentile(latencies, 0.99),
                    ["max"] = latencies.Length == 0 ? 0 : Math.Round(latencies[^1], 2),
                },
                ["failedCalls"] = warmup.FailedCalls + run.FailedCalls,
                ["acceptedEventsIncludingWarmup"] = accepted,
                ["storedEvents"] = stored,
                ["distinctStoredEvents"] = ids.Count,
                ["lostEvents"] = accepted - ids.Count,
                ["duplicateEvents"] = stored - ids.Count,
                ["countSeconds"] = Math.Round(countSeconds, 2),
                ["setup"] = "client (this process), the dev host and the worker (processes) and Azurite (in-memory) on the same 2 cores, over loopback HTTP",
            };
        }
    }

    private static async Task<string> CreateTrackerAsync(HttpClient http)
    {
        async Task<JsonNode?> PostAsync(string path, JsonObject body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            request.Headers.Add("x-functions-key", MasterKey);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
            }

            return JsonNode.Parse(text);
        }

        await PostAsync("/api/manage/dataset-groups", new JsonObject { ["name"] = DatasetGroup });
        var tracker = await PostAsync("/api/manage/event-trackers", new JsonObject { ["name"] = DatasetGroup + "-tracker", ["datasetGroupArn"] = DatasetGroup });
        return (string)tracker!["trackingId"]!;
    }

    private static async Task<RunResult> RunClientsAsync(HttpClient http, string trackingId, PutEventsBenchmarkOptions options, int seed)
    {
        var deadline = Stopwatch.StartNew();
        var budget = options.MaxCalls;
        var results = new RunResult();
        var clients = Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
        {
            var random = new Random((seed * 1000) + client);
            var latencies = new List<double>();
            var sequence = 0;
            while (deadline.Elapsed.TotalSeconds < options.Seconds && Interlocked.Decrement(ref budget) >= 0)
            {
                var body = NewCall(trackingId, random, options, $"s{seed}c{client}n{sequence++}");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("x-functions-key", HostKey);
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref results.AcceptedEvents, EventsPerCall);
                }
                else
                {
                    Interlocked.Increment(ref results.FailedCalls);
                }

                Interlocked.Increment(ref results.Calls);
            }

            lock (results.Latencies)
            {
                results.Latencies.AddRange(latencies);
            }
        })).ToArray();
        await Task.WhenAll(clients);
        results.Seconds = deadline.Elapsed.TotalSeconds;
        return results;
    }

    /// <summary>
    /// One user's (or, for a quarter of the calls, an anonymous session's) burst of 10 events: items drawn with
    /// power-law popularity, a view → click → purchase funnel, timestamps a few seconds apart, some with impressions
    /// and a recommendation id.
    /// </summary>
    private static byte[] NewCall(string trackingId, Random random, PutEventsBenchmarkOptions options, string callId)
    {
        var user = "user-" + (int)(options.Users * Math.Pow(random.NextDouble(), 2));
        var anonymous = random.NextDouble() < 0.25;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var buffer = new MemoryStream(2048);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("trackingId", trackingId);
            json.WriteString("sessionId", anonymous ? "session-" + callId : "session-" + user);
            if (!anonymous)
            {
                json.WriteString("userId", user);
            }

            json.WriteStartArray("eventList");
            for (var i = 0; i < EventsPerCall; i++)
            {
                var item = (int)(options.Items * Math.Pow(random.NextDouble(), 3));
                var funnel = random.NextDouble();
                json.WriteStartObject();
                json.WriteString("eventId", callId + "-" + i);
                json.WriteString("eventType", funnel < 0.8 ? "view" : funnel < 0.97 ? "click" : "purchase");
                json.WriteString("itemId", "item-" + item);
                json.WriteNumber("sentAt", Math.Round(now - ((EventsPerCall - i) * 3) + random.NextDouble(), 3));
                if (funnel >= 0.97)
                {
                    json.WriteNumber("eventValue", Math.Round(5 + (random.NextDouble() * 95), 2));
                }

                if (i == 0 && random.NextDouble() < 0.3)
                {
                    json.WriteString("recommendationId", "rec-" + callId);
                    json.WriteStartArray("impression");
                    for (var k = 0; k < 5; k++)
                    {
                        json.WriteStringValue("item-" + random.Next(options.Items));
                    }

                    json.WriteEndArray();
                }

                json.WriteString("properties", random.NextDouble() < 0.5 ? "{\"device\":\"phone\"}" : "{\"device\":\"desktop\"}");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);

    private sealed class RunResult
    {
        public int Calls;
        public int AcceptedEvents;
        public int FailedCalls;

        public List<double> Latencies { get; } = [];

        public double Seconds { get; set; }
    }
}
