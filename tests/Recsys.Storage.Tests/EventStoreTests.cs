using Azure;
using Azure.Data.Tables;
using Recsys.Core.Events;
using Recsys.Storage.Events;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>Contract of <see cref="TableEventStore"/> on Table Storage (Azurite).</summary>
public sealed class EventStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset s_t0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private async Task<(TableEventStore Store, TableClient Table)> NewStoreAsync(int historyLength = 100, int maxHistoryCharacters = 200_000)
    {
        var table = new TableClient(azurite.ConnectionString, "events" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var options = new EventStoreOptions { HistoryLength = historyLength, MaxHistoryCharacters = maxHistoryCharacters };
        return (new TableEventStore(table, options, TimeProvider.System), table);
    }

    private static InteractionEvent Event(string id, int second, string user = "u", IReadOnlyList<string>? impression = null)
        => new(id, "click", "item-" + id, s_t0.AddSeconds(second), user, "s-" + user, Impression: impression);

    private static async Task<List<InteractionEvent>> AllAsync(TableEventStore store, string group)
    {
        var list = new List<InteractionEvent>();
        await foreach (var e in store.ReadAllAsync(group))
        {
            list.Add(e);
        }

        return list;
    }

    [Fact]
    public async Task A_transaction_with_a_stale_etag_is_refused_as_a_whole()
    {
        // The history's optimistic concurrency relies on this (TableBatch's actions carry no ETag, hence If-Match: *).
        var (_, table) = await NewStoreAsync();
        await table.AddEntityAsync(new TableEntity("p", "h") { ["V"] = 1 });
        var stale = (await table.GetEntityAsync<TableEntity>("p", "h")).Value;
        await table.UpdateEntityAsync(new TableEntity("p", "h") { ["V"] = 2 }, ETag.All, TableUpdateMode.Replace);

        var error = await Assert.ThrowsAnyAsync<RequestFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "other")),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "h") { ["V"] = 3 }, stale.ETag),
        ]));

        Assert.Equal(412, error.Status);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>("p", "h")).Value.GetInt32("V"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "other")).HasValue);
    }

    [Fact]
    public async Task Appends_keep_the_last_events_in_time_order_per_user()
    {
        var (store, _) = await NewStoreAsync(historyLength: 3);
        await store.AppendAsync("g", "u", [Event("b", 2), Event("a", 1)]);
        await store.AppendAsync("g", "u", [Event("d", 4), Event("c", 3)]);
        await store.AppendAsync("g", "v", [Event("x", 9, user: "v")]);

        var history = await store.GetHistoryAsync("g", "u");
        Assert.Equal(["b", "c", "d"], history.Events.Select(e => e.EventId));
        Assert.Equal(["x"], (await store.GetHistoryAsync("g", "v")).Events.Select(e => e.EventId));
        Assert.Empty((await store.GetHistoryAsync("g", "nobody")).Events);
        Assert.Equal(5, (await AllAsync(store, "g")).Count);
    }

    [Fact]
    public async Task A_retry_of_events_older_than_the_history_is_still_stored_once()
    {
        var (store, _) = await NewStoreAsync(historyLength: 2);
        Assert.Equal(new EventAppendResult(2, 0), await store.AppendAsync("g", "u", [Event("e1", 1), Event("e2", 2)]));
        await store.AppendAsync("g", "u", [Event("e3", 3), Event("e4", 4)]);

        // e1 and e2 have left the history: the transaction's 409 finds them, and only e5 is added.
        var again = await store.AppendAsync("g", "u", [Event("e1", 1), Event("e2", 2), Event("e5", 5)]);

        Assert.Equal(new EventAppendResult(1, 2), again);
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], (await AllAsync(store, "g")).Select(e => e.EventId).Order());
        Assert.Equal(["e4", "e5"], (await store.GetHistoryAsync("g", "u")).Events.Select(e => e.EventId));
        Assert.Equal(new EventAppendResult(0, 2), await store.AppendAsync("g", "u", [Event("e1", 1), Event("e3", 3)]));
    }

    [Fact]
    public async Task Concurrent_appends_for_one_user_lose_nothing()
    {
        var (store, _) = await NewStoreAsync();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(c =>
            store.AppendAsync("g", "u", Enumerable.Range(0, 5).Select(i => Event($"c{c}-{i}", (c * 10) + i)).ToArray())));

        Assert.Equal(50, (await AllAsync(store, "g")).Count);
        var history = (await store.GetHistoryAsync("g", "u")).Events;
        Assert.Equal(50, history.Count);
        Assert.Equal(history.OrderBy(e => e.Timestamp).Select(e => e.EventId), history.Select(e => e.EventId));
    }

    [Fact]
    public async Task A_large_history_is_chunked_and_bounded_by_size()
    {
        var (store, _) = await NewStoreAsync(historyLength: 100, maxHistoryCharacters: 100_000);
        var impression = Enumerable.Range(0, 25).Select(i => new string('x', 200) + i).ToArray();
        for (var call = 0; call < 10; call++)
        {
            await store.AppendAsync("g", "u", Enumerable.Range(0, 10).Select(i => Event($"e{(call * 10) + i:D3}", (call * 10) + i, impression: impression)).ToArray());
        }

        var history = (await store.GetHistoryAsync("g", "u")).Events;
        Assert.InRange(history.Count, 10, 20);
        Assert.Equal("e099", history[^1].EventId);
        Assert.Equal(impression, history[^1].Impression!);
        Assert.Equal(100, (await AllAsync(store, "g")).Count);
    }

    [Fact]
    public async Task Reading_a_dataset_group_returns_only_its_events()
    {
        var (store, _) = await NewStoreAsync();
        await store.AppendAsync("shop", "u", [Event("a", 1)]);
        await store.AppendAsync("shop-2", "u", [Event("b", 1)]);
        await store.AppendAsync("shop", "w/#?", [Event("c", 1, user: "w/#?")]);

        Assert.Equal(["a", "c"], (await AllAsync(store, "shop")).Select(e => e.EventId).Order());
        Assert.Equal(["b"], (await AllAsync(store, "shop-2")).Select(e => e.EventId));
    }

    [Fact]
    public async Task Deleting_a_user_empties_and_marks_their_history_at_once_and_later_events_start_afresh()
    {
        var (store, _) = await NewStoreAsync();
        await store.AppendAsync("g", "u", [Event("a", 1), Event("b", 2)]);
        await store.AppendAsync("g", "other", [Event("c", 3, "other")]);
        var deletedAt = DateTimeOffset.UtcNow;

        Assert.Equal(2, await store.DeleteUserAsync("g", "u", deletedAt));
        var history = await store.GetHistoryAsync("g", "u");
        Assert.Empty(history.Events);
        Assert.Equal(deletedAt, history.DeletedAt);
        Assert.Equal(["c"], (await AllAsync(store, "g")).Select(e => e.EventId));
        Assert.Null((await store.GetHistoryAsync("g", "other")).DeletedAt);

        // A retried event id from before is a new event now, and the mark stays on the history.
        await store.AppendAsync("g", "u", [Event("a", 10)]);
        history = await store.GetHistoryAsync("g", "u");
        Assert.Equal(["a"], history.Events.Select(e => e.EventId));
        Assert.Equal(deletedAt, history.DeletedAt);
        Assert.Equal(0, await store.DeleteUserAsync("g", "nobody", deletedAt));
    }

    [Fact]
    public async Task Events_read_and_delete_by_the_time_they_were_received_and_histories_stay()
    {
        var (store, _) = await NewStoreAsync();
        await store.AppendAsync("g", "u", [.. Enumerable.Range(0, 5).Select(i => Event("early" + i, i))]);
        await store.AppendAsync("g", "v", [Event("early-v", 1, "v")]);
        await Task.Delay(50);
        var mark = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await store.AppendAsync("g", "u", [Event("late", 9)]);

        var early = new List<string>();
        await foreach (var e in store.ReadAllAsync("g", null, mark))
        {
            early.Add(e.EventId);
        }

        var late = new List<string>();
        await foreach (var e in store.ReadAllAsync("g", mark))
        {
            late.Add(e.EventId);
        }

        Assert.Equal(6, early.Count);
        Assert.Equal(["late"], late);
        Assert.Equal(6, await store.DeleteEventsAsync("g", mark));
        Assert.Equal(["late"], (await AllAsync(store, "g")).Select(e => e.EventId));
        Assert.Equal(6, (await store.GetHistoryAsync("g", "u")).Events.Count);
        Assert.Equal(0, await store.DeleteEventsAsync("g", mark));
    }

    [Fact]
    public async Task Every_user_with_a_history_is_marked_also_when_instances_write_at_once_and_data_from_before_marks_is_marked_once()
    {
        var (first, table) = await NewStoreAsync();
        var second = new TableEventStore(table, new EventStoreOptions(), TimeProvider.System);
        var users = Enumerable.Range(0, 60).Select(u => $"user-{u}").ToArray();
        await Task.WhenAll(users.Select((user, u) => (u % 2 == 0 ? first : second).AppendAsync("g", user, [Event("e" + user, u, user)])));
        await first.DeleteUserAsync("g", "deleted-before-any-event", s_t0);

        var third = new TableEventStore(table, new EventStoreOptions(), TimeProvider.System);
        var marks = await third.ReadHistoryMarksAsync("g");
        Assert.NotNull(marks);
        Assert.All(users.Append("deleted-before-any-event"), user => Assert.True(marks.MayHave(user), user));
        Assert.False(marks.MayHave("never-sent-an-event"));
        Assert.False((await third.ReadHistoryMarksAsync("other-group"))!.MayHave("user-0"));

        // Histories stored without marks (an earlier release, still running during a rollout): a read marks them but
        // trusts the marks only after a later scan finds none unmarked, an hour on.
        await table.DeleteEntityAsync("g", "history-marks", ETag.All);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var upgraded = new TableEventStore(table, new EventStoreOptions(), clock);
        Assert.Null(await upgraded.ReadHistoryMarksAsync("g"));
        await table.UpsertEntityAsync(new TableEntity("g|late-writer-of-the-old-release", "history") { ["UserOrSessionId"] = "late-writer-of-the-old-release" });
        clock.Advance(TableEventStore.RescanDelay - TimeSpan.FromMinutes(1));
        Assert.Null(await upgraded.ReadHistoryMarksAsync("g"));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await upgraded.ReadHistoryMarksAsync("g")); // the late writer's history was unmarked: another hour
        clock.Advance(TableEventStore.RescanDelay);
        var trusted = await upgraded.ReadHistoryMarksAsync("g");
        Assert.NotNull(trusted);
        Assert.All(users.Append("deleted-before-any-event").Append("late-writer-of-the-old-release"), user => Assert.True(trusted.MayHave(user), user));
        Assert.True((await table.GetEntityAsync<TableEntity>("g", "history-marks")).Value.GetBoolean("Complete"));

        // The marks row is no user's and no event: reading the group's events is unchanged.
        Assert.Equal(60, (await AllAsync(third, "g")).Count);
    }
}
