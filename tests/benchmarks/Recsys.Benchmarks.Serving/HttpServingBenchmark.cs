using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recsys.Benchmarks.Serving;

/// <summary>
/// Sustained GetRecommendations through HTTP: Azurite and the local host in-process, a 10 k-item shop imported and
/// trained (user-personalization, ALS) through the API, then concurrent loopback clients POST /api/recommendations for
/// a bounded time. Before that, the 1,000 most active users send events through PutEvents, so histories are served as
/// in production: their first request reads their recent events from Table Storage, the other users' marks show they
/// have none.
/// </summary>
internal static class HttpServingBenchmark
{
    private const int Items = 10_000;
    private const long Interactions = 400_000;
    private const int NumResults = 25;
    private const int UsersWithEvents = 1_000;

    private static readonly string[] s_categories =
    [
        "electronics", "fashion", "home", "garden", "sports", "toys", "books", "beauty", "grocery", "automotive",
        "health", "music", "movies", "office", "pets", "baby", "jewelry", "tools", "outdoors", "games",
    ];

    public static async Task<(JsonObject Figures, bool Passed)> RunAsync(int clients, int seconds)
    {
        await using var host = await ServingHost.StartAsync();
        var deployment = await host.DeployAsync(Items, Interactions, new Dictionary<string, string> { ["model"] = "als", ["als_factors"] = "64" });
        await SendEventsAsync(host, UsersWithEvents);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = host.Address };

        Console.WriteLine("warming up ...");
        var warmup = await RunClientsAsync(http, deployment, clients, 5, seed: 1);
        Console.WriteLine($"running {clients} clients for {seconds} s ...");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var run = await RunClientsAsync(http, deployment, clients, seconds, seed: 2);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

        var all = run.Latencies.Select(l => l.Ms).Order().ToArray();
        var filtered = run.Latencies.Where(l => l.Filtered).Select(l => l.Ms).Order().ToArray();
        var plain = run.Latencies.Where(l => !l.Filtered).Select(l => l.Ms).Order().ToArray();
        var perSecond = run.Requests / run.Seconds;
        var p99 = Percentile(all, 0.99);
        var errors = warmup.Errors + run.Errors;
        var passed = errors == 0 && perSecond >= 2000 && p99 <= 25;
        return (new JsonObject
        {
            ["target"] = ">= 2,000 requests/s with p99 <= 25 ms, 0 errors",
            ["meetsTarget"] = passed,
            ["clients"] = clients,
            ["seconds"] = Math.Round(run.Seconds, 2),
            ["requests"] = run.Requests,
            ["requestsPerSecond"] = Math.Round(perSecond, 1),
            ["errors"] = errors,
            ["firstError"] = run.FirstError ?? warmup.FirstError,
            ["latencyMs"] = Latency(all),
            ["latencyMsWithoutFilter"] = Latency(plain),
            ["latencyMsWithFilter"] = Latency(filtered),
            ["benchProcessCpuSeconds"] = Math.Round(cpu, 1),
            ["requestMix"] = $"numResults {NumResults}; 90 % training users (power-law), 10 % unknown users; 25 % with filter not-category "
                + "(EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)) and a random category",
            ["usersWithEvents"] = $"the {UsersWithEvents:N0} most active training users sent 3 events each through PutEvents before the run "
                + "(they draw about 28 % of the requests; their history is read from storage on their first request)",
            ["dataset"] = deployment.DatasetFigures(),
            ["solution"] = "aws-user-personalization, model=als, als_factors=64 (other hyperparameters default), trained by the training job",
            ["coldStartSeconds"] = host.ColdStartSeconds,
            ["workerStartMilliseconds"] = host.WorkerStartMilliseconds,
            ["historyCacheSeconds"] = Environment.GetEnvironmentVariable("Recsys__Serving__HistoryCacheSeconds") ?? "1 (the default)",
            ["setup"] = "client (this process), the dev host and the worker (two processes: the real host's HTTP hop, gRPC invocation and proxying) and Azurite (Node.js, in-memory) on the same 2 cores, over loopback HTTP; warm-up 5 s first; cold start = dev host process start to its first 200",
        }, passed);
    }

    /// <summary>Three events each for the <paramref name="users"/> most active training users, through an event tracker and PutEvents.</summary>
    private static async Task SendEventsAsync(ServingHost host, int users)
    {
        var tracker = await host.SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "bench-tracker", ["datasetGroupArn"] = ServingHost.DatasetGroup });
        var trackingId = (string)tracker!["trackingId"]!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, _) =>
        {
            var events = new JsonArray();
            for (var e = 0; e < 3; e++)
            {
                events.Add(new JsonObject { ["eventId"] = $"bench-{user}-{e}", ["eventType"] = "click", ["itemId"] = $"i{(user * 7) + e}", ["sentAt"] = now - 3 + e });
            }

            var name = "u" + user.ToString(CultureInfo.InvariantCulture);
            await host.SendAsync(HttpMethod.Post, "/api/events", new JsonObject { ["trackingId"] = trackingId, ["userId"] = name, ["sessionId"] = "s-" + name, ["eventList"] = events });
        });
    }

    private static async Task<RunResult> RunClientsAsync(HttpClient http, Deployment deployment, int clients, int seconds, int seed)
    {
        var deadline = Stopwatch.StartNew();
        var results = new RunResult();
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var random = new Random((seed * 1000) + client);
            var latencies = new List<(double, bool)>();
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var filtered = random.Next(4) == 0;
                var body = Body(deployment, random, filtered);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/recommendations") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("x-functions-key", ServingHost.HostKey);
                var start = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        error = $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(text)}";
                    }
                    else if (CountItems(text) != NumResults)
                    {
                        error = "wrong number of items";
                    }
                }
                catch (HttpRequestException e)
                {
                    error = e.Message;
                }

                latencies.Add((Stopwatch.GetElapsedTime(start).TotalMilliseconds, filtered));
                Interlocked.Increment(ref results.Requests);
                if (error is not null)
                {
                    Interlocked.Increment(ref results.Errors);
                    results.FirstError ??= error;
                }
            }

            lock (results.Latencies)
            {
                results.Latencies.AddRange(latencies);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        results.Seconds = deadline.Elapsed.TotalSeconds;
        return results;
    }

    /// <summary>The number of entries in the response's <c>itemList</c> (-1 without one), read without building a document.</summary>
    private static int CountItems(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("itemList"u8))
            {
                reader.Read();
                var depth = reader.CurrentDepth;
                var count = 0;
                while (reader.Read() && reader.CurrentDepth > depth)
                {
                    count += reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == depth + 1 ? 1 : 0;
                }

                return count;
            }
        }

        return -1;
    }

    private static byte[] Body(Deployment deployment, Random random, bool filtered)
    {
        var user = random.Next(10) == 0
            ? "new-user-" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture)
            : "u" + ((int)(deployment.Users * Math.Pow(random.NextDouble(), 2))).ToString(CultureInfo.InvariantCulture);
        var body = new JsonObject { ["campaignArn"] = deployment.CampaignArn, ["userId"] = user, ["numResults"] = NumResults };
        if (filtered)
        {
            body["filterArn"] = deployment.FilterArn;
            body["filterValues"] = new JsonObject { ["CATEGORY"] = $"\"{s_categories[random.Next(s_categories.Length)]}\"" };
        }

        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonObject Latency(double[] sorted) => new()
    {
        ["count"] = sorted.Length,
        ["mean"] = sorted.Length == 0 ? 0 : Math.Round(sorted.Average(), 2),
        ["p50"] = Percentile(sorted, 0.50),
        ["p90"] = Percentile(sorted, 0.90),
        ["p99"] = Percentile(sorted, 0.99),
        ["max"] = sorted.Length == 0 ? 0 : Math.Round(sorted[^1], 2),
    };

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);

    private sealed class RunResult
    {
        public int Requests;
        public int Errors;

        public string? FirstError { get; set; }

        public List<(double Ms, bool Filtered)> Latencies { get; } = [];

        public double Seconds { get; set; }
    }
}
