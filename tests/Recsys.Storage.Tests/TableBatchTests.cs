using Azure.Data.Tables;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>Azure's entity-group-transaction rules, which Azurite does not enforce.</summary>
public sealed class TableBatchTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void A_second_partition_is_refused()
    {
        var batch = new TableBatch();
        batch.Add(TableTransactionActionType.Add, new TableEntity("p1", "a"));

        var error = Assert.Throws<InvalidOperationException>(() => batch.Add(TableTransactionActionType.Add, new TableEntity("p2", "b")));
        Assert.Contains("one partition", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_101st_operation_and_a_repeated_entity_are_refused()
    {
        var batch = new TableBatch();
        for (var i = 0; i < TableBatch.MaxOperations; i++)
        {
            batch.Add(TableTransactionActionType.UpsertReplace, new TableEntity("p", $"r{i}"));
        }

        Assert.True(batch.IsFull);
        Assert.Throws<InvalidOperationException>(() => batch.Add(TableTransactionActionType.Add, new TableEntity("p", "r100")));
        var other = new TableBatch();
        other.Add(TableTransactionActionType.Add, new TableEntity("p", "same"));
        Assert.Throws<InvalidOperationException>(() => other.Add(TableTransactionActionType.UpsertMerge, new TableEntity("p", "same")));
    }

    [Fact]
    public async Task A_full_batch_commits_all_or_nothing()
    {
        var table = new TableClient(azurite.ConnectionString, "batch" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("p", "r50"));

        var batch = new TableBatch();
        for (var i = 0; i < TableBatch.MaxOperations; i++)
        {
            batch.Add(TableTransactionActionType.Add, new TableEntity("p", $"r{i}"));
        }

        await Assert.ThrowsAsync<TableTransactionFailedException>(() => batch.SubmitAsync(table));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "r0")).HasValue);

        await table.DeleteEntityAsync("p", "r50");
        await batch.SubmitAsync(table);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(e => e.PartitionKey == "p"))
        {
            count++;
        }

        Assert.Equal(TableBatch.MaxOperations, count);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public async Task A_conditional_update_with_a_stale_etag_fails_the_whole_batch()
    {
        var table = new TableClient(azurite.ConnectionString, "batchetag" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var stale = (await table.AddEntityAsync(new TableEntity("p", "guarded") { ["Value"] = 1 })).Headers.ETag!.Value;
        await table.UpdateEntityAsync(new TableEntity("p", "guarded") { ["Value"] = 2 }, Azure.ETag.All);

        var batch = new TableBatch();
        batch.Add(TableTransactionActionType.Add, new TableEntity("p", "new"));
        batch.Add(TableTransactionActionType.UpdateReplace, new TableEntity("p", "guarded") { ["Value"] = 3 }, stale);

        await Assert.ThrowsAsync<TableTransactionFailedException>(() => batch.SubmitAsync(table));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "new")).HasValue);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>("p", "guarded")).Value.GetInt32("Value"));
    }
}

/// <summary>Start-up provisioning is idempotent.</summary>
public sealed class StorageProvisionerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Provisioning_twice_creates_everything_once()
    {
        var clients = new StorageClients(new StorageOptions { ConnectionString = azurite.ConnectionString });
        var provisioner = new StorageProvisioner(clients);

        await provisioner.EnsureCreatedAsync();
        await provisioner.EnsureCreatedAsync();

        foreach (var container in StorageNames.Containers)
        {
            Assert.True(await clients.Container(container).ExistsAsync());
        }

        foreach (var queue in StorageNames.Queues)
        {
            Assert.True(await clients.Queue(queue).ExistsAsync());
        }
    }

    [Fact]
    public void Identity_based_settings_are_read_like_the_functions_host_does()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__accountName"] = "strecsys",
            ["AzureWebJobsStorage__clientId"] = "00000000-0000-0000-0000-000000000001",
        };

        var options = StorageOptions.FromSettings(k => settings.GetValueOrDefault(k));

        Assert.True(options.IsConfigured);
        Assert.Null(options.ConnectionString);
        Assert.Equal(new Uri("https://strecsys.queue.core.windows.net"), options.QueueServiceUri);
        Assert.Equal("00000000-0000-0000-0000-000000000001", options.ManagedIdentityClientId);
        Assert.Throws<InvalidOperationException>(() => new StorageClients(StorageOptions.FromSettings(_ => null)));
    }
}
