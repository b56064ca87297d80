using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recsys.Benchmarks;
using Recsys.Testing;

// The HTTP hop through the dev host: GET /api/anon/{id} goes dev host → gRPC InvocationRequest → proxied request to
// the worker's Kestrel → both answers back. Its peer, measured in the same run with the same clients, is the dev
// host answering on its own (GET /admin/host/ping): the difference is what the invocation and the proxy cost.
const string Usage = "usage: dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.DevHost -- [--clients 8] [--seconds 15]";
var clients = 8;
var seconds = 15.0;
for (var i = 0; i < args.Length; i += 2)
{
    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    switch (args[i])
    {
        case "--clients":
            clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--seconds":
            seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

await using var azurite = await Azurite.StartAsync();
var started = Stopwatch.StartNew();
await using var host = await DevHostProcess.StartAsync(azurite.ConnectionString, "bench-" + Guid.NewGuid().ToString("N")[..8]);
using (var first = await host.Client.GetAsync("api/anon/0"))
{
    first.EnsureSuccessStatusCode();
}

var coldStartMs = started.Elapsed.TotalMilliseconds;
var workerStartMs = host.Output.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"ready in (\d+) ms")).Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).First();

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
using var http = new HttpClient(handler) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };

// Warm-up: JIT, connection pools and the worker's first invocations, for both paths.
await LoadAsync(http, "api/anon/", clients, TimeSpan.FromSeconds(3));
await LoadAsync(http, "admin/host/ping?", clients, TimeSpan.FromSeconds(2));

var peer = await LoadAsync(http, "admin/host/ping?", clients, TimeSpan.FromSeconds(seconds));
var proxied = await LoadAsync(http, "api/anon/", clients, TimeSpan.FromSeconds(seconds));

var figures = new JsonObject
{
    ["clients"] = clients,
    ["secondsPerPath"] = seconds,
    ["coldStartMs"] = Math.Round(coldStartMs),
    ["workerStartMs"] = workerStartMs,
    ["proxied"] = proxied.ToJson(),
    ["devHostAlone"] = peer.ToJson(),
    ["proxiedToAloneThroughput"] = Math.Round(proxied.RequestsPerSecond / peer.RequestsPerSecond, 3),
};
var command = "dotnet run -c Release --project tests/benchmarks/Recsys.Benchmarks.DevHost -- " + string.Join(' ', args);
var path = BenchmarkReport.Write("serving", "devhost-proxy", command, figures);
Console.WriteLine(figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine("Wrote " + path);
return proxied.Errors == 0 ? 0 : 1;

static async Task<LoadResult> LoadAsync(HttpClient http, string pathPrefix, int clients, TimeSpan duration)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var latencies = new List<long>[clients];
    var errors = 0;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
    {
        var mine = latencies[client] = new List<long>(100_000);
        for (var n = 0; Stopwatch.GetTimestamp() < deadline && n < 2_000_000; n++)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.GetAsync(pathPrefix + n.ToString(CultureInfo.InvariantCulture), HttpCompletionOption.ResponseContentRead);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }

            mine.Add(Stopwatch.GetTimestamp() - start);
        }
    }));
    var elapsed = watch.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return new LoadResult(all.Length, errors, all.Length / elapsed, Ms(all, 0.50), Ms(all, 0.90), Ms(all, 0.99), Ms(all, 1.0));

    static double Ms(long[] sorted, double quantile)
        => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))] * 1000.0 / Stopwatch.Frequency, 2);
}

internal sealed record LoadResult(int Requests, int Errors, double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public JsonObject ToJson() => new()
    {
        ["requests"] = Requests,
        ["errors"] = Errors,
        ["requestsPerSecond"] = Math.Round(RequestsPerSecond),
        ["p50Ms"] = P50Ms,
        ["p90Ms"] = P90Ms,
        ["p99Ms"] = P99Ms,
        ["maxMs"] = MaxMs,
    };
}
