using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Recsys.Testing;

namespace Recsys.DevHost.Tests;

/// <summary>What must survive: dev host restarts, a dying worker, a lost storage. Each test owns its processes.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_dropped_blob_is_delivered_once_across_a_restart_of_the_dev_host()
    {
        await using var azurite = await Azurite.StartAsync();
        var hostId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var imports = new BlobContainerClient(azurite.ConnectionString, "imports");
        await imports.CreateIfNotExistsAsync();
        await imports.GetBlobClient("a-first.csv").UploadAsync(BinaryData.FromString("id\n1\n"));

        await using (var first = await DevHostProcess.StartAsync(azurite.ConnectionString, hostId))
        {
            await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "blob", "a-first.csv")).Count == 1, "the first host delivered the blob", s_wait);
        }

        await using var second = await DevHostProcess.StartAsync(azurite.ConnectionString, hostId);
        await imports.GetBlobClient("z-after-restart.csv").UploadAsync(BinaryData.FromString("id\n2\n"));

        // The second host delivered a blob listed after the first one, so its scans passed the first one too.
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "blob", "z-after-restart.csv")).Count == 1, "the second host delivered the new blob", s_wait);
        Assert.Single(await Records.ReadAsync(azurite.ConnectionString, "blob", "a-first.csv"));
    }

    [Fact]
    public async Task Two_dev_hosts_on_one_storage_deliver_a_blob_once()
    {
        await using var azurite = await Azurite.StartAsync();
        var hostId = "pair-" + Guid.NewGuid().ToString("N")[..8];
        await using var one = await DevHostProcess.StartAsync(azurite.ConnectionString, hostId);
        await using var two = await DevHostProcess.StartAsync(azurite.ConnectionString, hostId);
        var imports = new BlobContainerClient(azurite.ConnectionString, "imports");
        await imports.CreateIfNotExistsAsync();
        var names = Enumerable.Range(0, 6).Select(i => $"b{i}-{Guid.NewGuid():N}.csv").Order(StringComparer.Ordinal).ToArray();
        foreach (var name in names)
        {
            await imports.GetBlobClient(name).UploadAsync(BinaryData.FromString("id\n1\n"));
        }

        // Either host may still be running a claimed blob when the other one delivers a later one, so wait for all of
        // them; then one more blob, dropped after, proves both hosts scanned past them again without a second delivery.
        await Eventually.HoldsAsync(async () => await AllDeliveredAsync(azurite.ConnectionString, names), "every blob ran", s_wait);
        await imports.GetBlobClient("zz-last.csv").UploadAsync(BinaryData.FromString("id\n2\n"));
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "blob", "zz-last.csv")).Count >= 1, "the last blob ran", s_wait);

        foreach (var name in names)
        {
            Assert.Single(await Records.ReadAsync(azurite.ConnectionString, "blob", name));
        }

        Assert.Single(await Records.ReadAsync(azurite.ConnectionString, "blob", "zz-last.csv"));
    }

    [Fact]
    public async Task Two_dev_hosts_on_one_storage_fire_each_timer_occurrence_once()
    {
        await using var azurite = await Azurite.StartAsync();
        var hostId = "timers-" + Guid.NewGuid().ToString("N")[..8];
        var fast = new Dictionary<string, string> { ["TickSchedule"] = "*/2 * * * * *" };
        await using var one = await DevHostProcess.StartAsync(azurite.ConnectionString, hostId, fast);
        await using var two = await DevHostProcess.StartAsync(azurite.ConnectionString, hostId, fast);

        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "timer", "Tick")).Count >= 6, "the timer fired six times", s_wait);

        // With the monitor on, each firing sees the status the previous one wrote: its Next is the occurrence being
        // fired. Two firings of one occurrence would both see the same Next.
        var occurrences = (await Records.ReadAsync(azurite.ConnectionString, "timer", "Tick"))
            .Select(r => (string?)r["next"]?.ToString())
            .Where(n => n is not null)
            .ToList();
        Assert.NotEmpty(occurrences);
        Assert.Equal(occurrences.Count, occurrences.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_worker_killed_mid_request_gives_a_503_then_is_restarted_and_serves_again()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await DevHostProcess.StartAsync(azurite.ConnectionString, "crash-" + Guid.NewGuid().ToString("N")[..8]);
        var before = await host.Client.GetFromJsonAsync<JsonObject>("api/anon/1");

        using var crashed = await host.Client.PostAsync("api/crash", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, crashed.StatusCode);
        Assert.Equal("application/problem+json", crashed.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(crashed.Headers.RetryAfter);

        JsonObject? after = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await host.Client.GetAsync("api/anon/2");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    after = await response.Content.ReadFromJsonAsync<JsonObject>();
                    return true;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                return false;
            },
            "the restarted worker served",
            s_wait);
        Assert.NotEqual((int?)before!["pid"], (int?)after!["pid"]);
    }

    [Fact]
    public async Task A_message_that_kills_the_worker_on_every_delivery_ends_in_the_poison_queue_and_the_host_keeps_serving()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await DevHostProcess.StartAsync(azurite.ConnectionString, "poison-" + Guid.NewGuid().ToString("N")[..8]);
        var text = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var work = new QueueClient(azurite.ConnectionString, "work", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await work.CreateIfNotExistsAsync();
        await work.SendMessageAsync(text);

        var poison = new QueueClient(azurite.ConnectionString, "work-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await Eventually.HoldsAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == text), "the message reached work-poison", TimeSpan.FromSeconds(150));

        Assert.Equal(3, (await Records.ReadAsync(azurite.ConnectionString, "queue", text)).Count);
        await Eventually.HoldsAsync(async () => (await host.Client.GetAsync("api/anon/1")).StatusCode == HttpStatusCode.OK, "the host serves", s_wait);
    }

    [Fact]
    public async Task A_message_delivered_more_often_than_maxDequeueCount_goes_to_poison_without_an_invocation()
    {
        await using var azurite = await Azurite.StartAsync();
        var queueName = "died-" + Guid.NewGuid().ToString("N")[..8];
        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("died-every-time");

        // Three deliveries that ended without an answer, as when the host died during each of them.
        for (var i = 0; i < 3; i++)
        {
            var message = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        await using var host = await DevHostProcess.StartAsync(azurite.ConnectionString, "died-" + Guid.NewGuid().ToString("N")[..8], new Dictionary<string, string> { ["WorkQueue"] = queueName });

        var poison = new QueueClient(azurite.ConnectionString, queueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await Eventually.HoldsAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync()).Value.Any(m => m.Body.ToString() == "died-every-time"), "the message reached the poison queue", s_wait);
        Assert.Empty(await Records.ReadAsync(azurite.ConnectionString, "queue", "died-every-time"));
        Assert.Contains(host.Output, line => line.Contains("moved to '" + queueName + "-poison'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Storage_stopped_for_a_few_seconds_is_reported_once_survived_and_work_resumes_when_it_returns()
    {
        await using var azurite = await Azurite.StartAsync(persistent: true);
        await using var host = await DevHostProcess.StartAsync(azurite.ConnectionString, "outage-" + Guid.NewGuid().ToString("N")[..8], new Dictionary<string, string> { ["TickSchedule"] = "*/2 * * * * *" });
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "timer", "Tick")).Count >= 1, "the timer fired", s_wait);

        await azurite.StopAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(host.Output.Any(l => l.Contains("Storage unreachable", StringComparison.Ordinal))), "the outage was reported", s_wait);

        // HTTP does not need storage: the host keeps serving through the outage.
        using (var during = await host.Client.GetAsync("api/anon/1"))
        {
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await azurite.RestartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(host.Output.Any(l => l.Contains("Storage is back", StringComparison.Ordinal))), "the return was reported", s_wait);

        // Every loop works again: a queue message sent through the HTTP function is processed, a blob is delivered.
        using var enqueue = new HttpRequestMessage(HttpMethod.Post, "api/enqueue/after-outage");
        enqueue.Headers.Add("x-functions-key", DevHostProcess.HostKey);
        using (var accepted = await host.Client.SendAsync(enqueue))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var imports = new BlobContainerClient(azurite.ConnectionString, "imports");
        await imports.CreateIfNotExistsAsync();
        await imports.GetBlobClient("after-outage.csv").UploadAsync(BinaryData.FromString("id\n1\n"));
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "queue", "after-outage")).Count == 1, "the queue function ran after the outage", s_wait);
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(azurite.ConnectionString, "blob", "after-outage.csv")).Count == 1, "the blob function ran after the outage", s_wait);

        var output = host.Output;
        Assert.Single(output, l => l.Contains("Storage unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        Assert.Equal("Running", (string?)(await host.StatusAsync())["state"]);
    }

    private static async Task<bool> AllDeliveredAsync(string connectionString, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if ((await Records.ReadAsync(connectionString, "blob", name)).Count == 0)
            {
                return false;
            }
        }

        return true;
    }
}
