using System.Net;
using System.Text.Json.Nodes;
using Recsys.Data.Synthetic;
using Recsys.Functions.Tests;
using Recsys.Testing;
using Xunit.Abstractions;

namespace Recsys.FaultInjection.Tests;

/// <summary>
/// Storage stopped for 5, 30 and 120 seconds under PutEvents load, through the dev host and the real worker: health
/// says "unreachable" at once, writes get 503 with Retry-After (never a 500), no acknowledged event is lost, the
/// service answers again within 10 seconds of storage returning, and the host's own loops carry on.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(5)]
    [InlineData(30)]
    [InlineData(120)]
    public async Task Storage_stopped_under_put_events_load_loses_no_acknowledged_event_and_the_service_comes_back(int seconds)
    {
        await using var azurite = await Azurite.StartAsync(persistent: true);
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, Faults.FastRecovery());
        var directory = Directory.CreateTempSubdirectory("recsys-outage-").FullName;
        try
        {
            await ShopSetup.ImportAsync(host, directory, new SyntheticDataOptions { Seed = 5, Interactions = 3_000, Users = 300, Items = 150 });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var trackingId = (string)(await host.SendJsonAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject
        {
            ["name"] = "outage-tracker", ["datasetGroupArn"] = ShopSetup.DatasetGroup,
        }, HttpStatusCode.Created))!["trackingId"]!;
        await using var load = new PutEventsLoad(host, trackingId);
        await Eventually.HoldsAsync(() => Task.FromResult(load.Acknowledged.Count > 100), "the load runs", TimeSpan.FromSeconds(60));

        await azurite.StopAsync();

        // Health answers at once (a client that waits 3 s at most) and says why.
        using (var quick = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(3) })
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    using var health = await quick.GetAsync("/api/health");
                    return health.StatusCode == HttpStatusCode.ServiceUnavailable && (await health.Content.ReadAsStringAsync()).Contains("unreachable", StringComparison.Ordinal);
                },
                "health reports storage unreachable",
                TimeSpan.FromSeconds(20));
        }

        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var acknowledgedBefore = load.Acknowledged.Count;
        await azurite.RestartAsync();

        // Back within 10 seconds of storage returning: health, and events acknowledged again.
        var lastHealth = "none";
        try
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    using var health = await host.Client.GetAsync("/api/health");
                    lastHealth = $"{(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}";
                    return health.StatusCode == HttpStatusCode.OK && load.Acknowledged.Count > acknowledgedBefore;
                },
                "the service answers again",
                TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            output.WriteLine($"health: {lastHealth}; acknowledged {acknowledgedBefore} → {load.Acknowledged.Count}; answers {string.Join(", ", load.Answers.Select(a => $"{a.Key}: {a.Value}"))}");
            foreach (var line in host.Process.Output.TakeLast(60))
            {
                output.WriteLine(line);
            }

            throw;
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        await load.StopAsync();

        Assert.Empty(await load.LostAsync(host, ShopSetup.DatasetGroup));
        Assert.Contains("503 with Retry-After", load.Answers.Keys);
        Assert.All(load.Answers.Keys, answer => Assert.True(answer is "200" or "503 with Retry-After", "PutEvents answered " + answer + " during or around the outage"));
        Assert.Equal("Running", (string?)(await host.Process.StatusAsync())["state"]);
        Assert.DoesNotContain(host.Process.Output, line => line.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Storage_reset_under_a_running_service_is_created_again_and_the_service_comes_back()
    {
        // Azurite in memory, restarted: every container, queue and table is gone, as when a developer restarts it.
        await using var azurite = await Azurite.StartAsync(persistent: false);
        var settings = Faults.FastRecovery();

        // No history change feed: its follower polls a table every half second and, finding it missing, would create
        // the tables again before the request below could find them missing (a race the follower sometimes wins).
        settings["Recsys:Serving:HistoryCacheSeconds"] = "0";
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, settings);
        await host.SendJsonAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "before-reset" }, HttpStatusCode.Created);

        await azurite.RestartAsync();

        // The first requests find the tables missing: 503 with Retry-After naming it, never a 500.
        using (var request = FunctionsHost.WithKey(HttpMethod.Get, "/api/manage/dataset-groups", FunctionsHost.MasterKey, null))
        using (var first = await host.Client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            Assert.NotNull(first.Headers.RetryAfter);
            Assert.Contains("missing", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Back within 10 seconds, by itself: the resources are created again; the lost data is gone, new data is kept.
        await Eventually.HoldsAsync(
            async () =>
            {
                using var health = await host.Client.GetAsync("/api/health");
                return health.StatusCode == HttpStatusCode.OK;
            },
            "the service answers again",
            TimeSpan.FromSeconds(10));
        await host.SendJsonAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "after-reset" }, HttpStatusCode.Created);
        var groups = (await host.SendJsonAsync(HttpMethod.Get, "/api/manage/dataset-groups"))!["datasetGroups"]!.AsArray();
        Assert.Equal(["after-reset"], groups.Select(g => (string?)g!["name"]));
        Assert.Equal("Running", (string?)(await host.Process.StatusAsync())["state"]);
    }
}
