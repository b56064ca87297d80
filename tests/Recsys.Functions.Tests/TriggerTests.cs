using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// The worker's non-HTTP triggers as the dev host drives them: a timer, a queue job retried then poisoned, and a
/// dropped blob reaching the blob trigger. Each test counts queue messages, so each has an Azurite of its own.
/// </summary>
public sealed class TriggerTests
{
    private static async Task<int> CountAsync(QueueClient queue) => (await queue.PeekMessagesAsync(32)).Value.Length;

    [Fact]
    public async Task A_timer_on_a_fast_schedule_fires_and_records_its_status()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["ImportSweepSchedule"] = "*/1 * * * * *",
            ["AzureWebJobs.importDrop.Disabled"] = "true",
            ["AzureWebJobs.importJob.Disabled"] = "true",
        }, hostId: "timer-test");
        var imports = host.Storage.Container(StorageNames.ImportsContainer);
        await imports.UploadBlobAsync("timed/Interactions/a.csv", BinaryData.FromString("USER_ID,ITEM_ID,TIMESTAMP\n"));

        // Only the sweep timer can have queued it: the blob trigger is disabled.
        var queue = host.Storage.Queue(StorageNames.ImportJobsQueue);
        await Eventually.HoldsAsync(async () => await CountAsync(queue) == 1, "the sweep timer queues the dropped file");

        var status = host.Storage.Container(StorageNames.HostContainer).GetBlobClient("timers/timer-test/Host.Functions.importSweepTimer/status");
        await Eventually.HoldsAsync(async () => await status.ExistsAsync(), "the timer status is recorded");
        var recorded = JsonNode.Parse((await status.DownloadContentAsync()).Value.Content.ToString())!;
        Assert.True(DateTime.Parse((string)recorded["Next"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTime.Parse((string)recorded["Last"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_failing_queue_job_is_retried_then_moved_to_the_poison_queue()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            // host.json values overridden by app settings, as the Functions host allows.
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "3",
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200",
            // Keep what reaches the poison queue there, to look at it.
            ["AzureWebJobs.importJobPoison.Disabled"] = "true",
        });
        var queue = host.Storage.Queue(StorageNames.ImportJobsQueue);
        var poison = host.Storage.Queue(StorageNames.ImportJobsQueue + "-poison");

        await queue.SendMessageAsync("{\"this is\": \"not an import\"}");

        await Eventually.HoldsAsync(async () => await CountAsync(poison) == 1, "the message reaches the poison queue");
        var moved = (await poison.ReceiveMessageAsync()).Value;
        Assert.Equal("{\"this is\": \"not an import\"}", moved.Body.ToString());
        Assert.Equal(0, await CountAsync(queue));
    }

    [Fact]
    public async Task A_dropped_blob_becomes_exactly_one_import_message_also_across_a_restart()
    {
        await using var azurite = await Azurite.StartAsync();
        var settings = new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" };
        QueueClient queue;
        var receipts = 0;
        await using (var first = await FunctionsHost.StartAsync(azurite.ConnectionString, settings, hostId: "drops"))
        {
            queue = first.Storage.Queue(StorageNames.ImportJobsQueue);
            await first.Storage.Container(StorageNames.ImportsContainer).UploadBlobAsync("drops/Interactions/one.csv", BinaryData.FromString("USER_ID,ITEM_ID,TIMESTAMP\nu,i,1700000000\n"));
            await Eventually.HoldsAsync(async () => await CountAsync(queue) == 1, "the drop is queued");
            await Task.Delay(1000); // several more scans
            Assert.Equal(1, await CountAsync(queue));
            await foreach (var _ in first.Storage.Table(StorageNames.BlobReceiptsTable).QueryAsync<Azure.Data.Tables.TableEntity>())
            {
                receipts++;
            }
        }

        Assert.Equal(1, receipts);
        var message = JsonNode.Parse((await queue.PeekMessageAsync()).Value.Body.ToString())!;
        Assert.Equal("drops/Interactions/one.csv", (string?)message["blob"]);
        Assert.False(string.IsNullOrEmpty((string?)message["etag"]));

        await using var second = await FunctionsHost.StartAsync(azurite.ConnectionString, settings, hostId: "drops");
        await Task.Delay(1500);
        Assert.Equal(1, await CountAsync(queue));

        // A new version of the file (new ETag) is a new drop.
        await second.Storage.Container(StorageNames.ImportsContainer).GetBlobClient("drops/Interactions/one.csv")
            .UploadAsync(BinaryData.FromString("USER_ID,ITEM_ID,TIMESTAMP\nu,j,1700000001\n"), overwrite: true);
        await Eventually.HoldsAsync(async () => await CountAsync(queue) == 2, "the new version is queued");
    }
}
