using Azure.Data.Tables;
using Recsys.Core.Datasets;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>Contracts of what data deletion jobs use on Table Storage (Azurite): the deleted-users registry and record deletes.</summary>
public sealed class DataDeletionStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Deleted_users_are_kept_per_dataset_group_with_the_latest_time()
    {
        var table = new TableClient(azurite.ConnectionString, "deleted" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var store = new TableDeletedUsers(table);
        var t1 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var many = Enumerable.Range(0, 250).Select(i => "user/" + i).Append("user/0").ToArray();

        await store.AddAsync("g", many, t1);
        await store.AddAsync("g", ["user/1"], t1.AddDays(1));
        await store.AddAsync("other", ["x"], t1);

        var deletions = await store.ReadAllAsync("g");
        Assert.Equal(250, deletions.Count);
        Assert.Equal(t1, deletions.DeletedAt("user/0"));
        Assert.Equal(t1.AddDays(1), deletions.DeletedAt("user/1"));
        Assert.Null(deletions.DeletedAt("x"));
        Assert.Equal(0, (await store.ReadAllAsync("empty")).Count);
    }

    [Fact]
    public async Task Deleting_user_records_counts_the_ones_that_existed()
    {
        var items = new TableClient(azurite.ConnectionString, "items" + Guid.NewGuid().ToString("N")[..8]);
        var users = new TableClient(azurite.ConnectionString, "users" + Guid.NewGuid().ToString("N")[..8]);
        await items.CreateIfNotExistsAsync();
        await users.CreateIfNotExistsAsync();
        var records = new Events.TableDatasetRecordStore(items, users);
        await records.UpsertAsync("g", Data.Schemas.DatasetType.Users, [new Core.Events.DatasetRecord("a/1", new Dictionary<string, object?> { ["TIER"] = "gold" }, DateTimeOffset.UtcNow)]);

        Assert.Equal(1, await records.DeleteAsync("g", Data.Schemas.DatasetType.Users, ["a/1", "missing", "a/1"]));
        Assert.Null(await records.FindAsync("g", Data.Schemas.DatasetType.Users, "a/1"));
    }
}
