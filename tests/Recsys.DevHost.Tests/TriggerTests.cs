using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Recsys.Testing;

namespace Recsys.DevHost.Tests;

/// <summary>Timer, queue and blob triggers fired by the dev host into the worker process.</summary>
public sealed class TriggerTests(FastTimerFixture fixture) : IClassFixture<FastTimerFixture>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);

    private QueueClient Queue(string name) => new(fixture.Storage, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    [Fact]
    public async Task The_timer_fires_on_its_setting_schedule_and_writes_its_status_blob()
    {
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "timer", "Tick")).Count >= 2, "the timer fired twice", s_wait);

        var status = new BlobContainerClient(fixture.Storage, "azure-webjobs-hosts")
            .GetBlobClient($"timers/{fixture.Host.HostId}/Host.Functions.Tick/status");
        var content = (await status.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"Last\"", content, StringComparison.Ordinal);
        Assert.Contains("\"Next\"", content, StringComparison.Ordinal);
        Assert.All(await Records.ReadAsync(fixture.Storage, "timer", "Tick"), r => Assert.False((bool?)r["isPastDue"]));
    }

    [Fact]
    public async Task A_failing_message_is_retried_until_maxDequeueCount_then_moved_to_the_poison_queue()
    {
        var text = "fail-" + Guid.NewGuid().ToString("N")[..8];
        var poison = Queue("work-poison");
        await Queue("work").CreateIfNotExistsAsync();
        await Queue("work").SendMessageAsync(text);

        await Eventually.HoldsAsync(async () => await InQueueAsync(poison, text), "the message reached work-poison", s_wait);

        // host.json of the fixture worker: maxDequeueCount 3.
        var deliveries = await Records.ReadAsync(fixture.Storage, "queue", text);
        Assert.Equal([1L, 2L, 3L], deliveries.Select(r => (long)r["dequeueCount"]!).Order());
    }

    [Fact]
    public async Task A_dropped_blob_is_delivered_once_as_a_BlobClient_with_its_name()
    {
        var imports = new BlobContainerClient(fixture.Storage, "imports");
        await imports.CreateIfNotExistsAsync();
        var name = $"a-{Guid.NewGuid():N}/data.csv";
        var uploaded = await imports.GetBlobClient(name).UploadAsync(BinaryData.FromString("id\n1\n"));
        var key = name.Replace('/', '_');

        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "blob", key)).Count == 1, "the blob function ran", s_wait);

        // A later blob (listed after this one) proves that the scan passed this version again without invoking.
        var later = $"z-{Guid.NewGuid():N}.csv";
        await imports.GetBlobClient(later).UploadAsync(BinaryData.FromString("id\n2\n"));
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "blob", later)).Count == 1, "the later blob ran", s_wait);

        var record = Assert.Single(await Records.ReadAsync(fixture.Storage, "blob", key));
        Assert.Equal(name, (string?)record["name"]);
        Assert.Equal("imports", (string?)record["container"]);
        Assert.Equal(name, (string?)record["blobName"]);
        Assert.Equal(uploaded.Value.ETag.ToString(), (string?)record["etag"]);
    }

    [Fact]
    public async Task A_new_version_of_a_blob_is_delivered_again()
    {
        var imports = new BlobContainerClient(fixture.Storage, "imports");
        await imports.CreateIfNotExistsAsync();
        var name = $"v-{Guid.NewGuid():N}.csv";
        await imports.GetBlobClient(name).UploadAsync(BinaryData.FromString("id\n1\n"));
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "blob", name)).Count == 1, "the first version ran", s_wait);

        var second = await imports.GetBlobClient(name).UploadAsync(BinaryData.FromString("id\n1\n2\n"), overwrite: true);

        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "blob", name)).Count == 2, "the second version ran", s_wait);
        Assert.Contains(await Records.ReadAsync(fixture.Storage, "blob", name), r => (string?)r["etag"] == second.Value.ETag.ToString());
    }

    [Fact]
    public async Task A_blob_whose_function_fails_is_retried_then_reported_to_the_blob_poison_queue()
    {
        var imports = new BlobContainerClient(fixture.Storage, "imports");
        await imports.CreateIfNotExistsAsync();
        var name = $"fail-{Guid.NewGuid():N}.csv";
        await imports.GetBlobClient(name).UploadAsync(BinaryData.FromString("id\n1\n"));

        await Eventually.HoldsAsync(async () => await InQueueAsync(Queue("webjobs-blobtrigger-poison"), name), "the blob was reported as poison", s_wait);

        Assert.Equal(3, (await Records.ReadAsync(fixture.Storage, "blob", name)).Count);
    }

    private static async Task<bool> InQueueAsync(QueueClient queue, string text)
    {
        if (!await queue.ExistsAsync())
        {
            return false;
        }

        var peeked = await queue.PeekMessagesAsync(32);
        return peeked.Value.Any(m => m.Body.ToString().Contains(text, StringComparison.Ordinal));
    }
}
