using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Recsys.Core.Events;
using Recsys.Storage.Events;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>
/// <see cref="HistoryCache"/> over the real <see cref="TableEventStore"/> (Azurite), with two caches on one table as
/// two instances of the app would be: writes through a cache are seen by it at once, another's within the lifetime.
/// </summary>
public sealed class HistoryCacheTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset s_t0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly FakeTimeProvider _time = new(s_t0);

    private async Task<TableEventStore> NewStoreAsync(TableClient? table = null)
    {
        if (table is null)
        {
            table = new TableClient(azurite.ConnectionString, "events" + Guid.NewGuid().ToString("N")[..8]);
            await table.CreateIfNotExistsAsync();
        }

        return new TableEventStore(table, new EventStoreOptions(), TimeProvider.System);
    }

    private static InteractionEvent Event(string id, string user = "u") => new(id, "click", "item-" + id, s_t0, user, "s-" + user);

    private static async Task<string[]> HistoryAsync(HistoryCache store, string user = "u")
        => [.. (await store.GetHistoryAsync("g", user)).Events.Select(e => e.EventId)];

    [Fact]
    public async Task An_instance_sees_its_own_writes_at_once_and_another_instances_within_the_lifetime()
    {
        var table = await NewStoreAsync();
        var first = new HistoryCache(table, _time, TimeSpan.FromSeconds(1));
        var second = new HistoryCache(table, _time, TimeSpan.FromSeconds(1));
        Assert.Empty(await HistoryAsync(first));
        Assert.Empty(await HistoryAsync(second));

        await first.AppendAsync("g", "u", [Event("a")]);
        Assert.Equal(["a"], await HistoryAsync(first)); // its own write: at once
        Assert.Empty(await HistoryAsync(second)); // another instance's: not before its entry expires

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["a"], await HistoryAsync(second));
        Assert.Equal(["a"], await HistoryAsync(first)); // read again: its entry had expired too

        // A deletion through an instance is seen by it at once, too.
        await second.DeleteUserAsync("g", "u", s_t0);
        var deleted = await second.GetHistoryAsync("g", "u");
        Assert.Empty(deleted.Events);
        Assert.NotNull(deleted.DeletedAt);
        Assert.Equal(["a"], await HistoryAsync(first));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull((await first.GetHistoryAsync("g", "u")).DeletedAt);
    }

    [Fact]
    public async Task A_lifetime_of_zero_reads_storage_every_time()
    {
        var table = await NewStoreAsync();
        var reader = new HistoryCache(table, _time, TimeSpan.Zero);
        Assert.Empty(await HistoryAsync(reader));
        await table.AppendAsync("g", "u", [Event("a")]);
        Assert.Equal(["a"], await HistoryAsync(reader));
        Assert.Equal(0, reader.Count);
    }

    [Fact]
    public async Task A_read_that_started_before_a_write_does_not_bring_back_the_old_history()
    {
        var table = await NewStoreAsync();
        var gated = new GatedReads(table);
        var cache = new HistoryCache(gated, _time, TimeSpan.FromSeconds(1));

        // The read fetches the empty history, then stalls; the write lands and is forgotten meanwhile.
        var slowRead = cache.GetHistoryAsync("g", "u");
        await gated.Fetched.Task;
        await cache.AppendAsync("g", "u", [Event("a")]);
        gated.Release.SetResult();
        Assert.Empty((await slowRead).Events);

        Assert.Equal(["a"], await HistoryAsync(cache));
    }

    [Fact]
    public async Task The_number_of_users_remembered_is_bounded_and_expired_ones_go_first()
    {
        var cache = new HistoryCache(await NewStoreAsync(), _time, TimeSpan.FromSeconds(1), capacity: 20);
        for (var u = 0; u < 15; u++)
        {
            await cache.GetHistoryAsync("g", "old" + u);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        for (var u = 0; u < 10; u++)
        {
            await cache.GetHistoryAsync("g", "new" + u);
        }

        Assert.Equal(10, cache.Count); // past 20 the 15 expired entries were swept, the live ones kept
        for (var u = 10; u < 30; u++)
        {
            await cache.GetHistoryAsync("g", "new" + u);
        }

        Assert.InRange(cache.Count, 1, 20); // still full of live entries: it started again

        // Below the capacity, expired entries still go every few lifetimes (a batch job's users do not stay).
        _time.Advance(TimeSpan.FromSeconds(6));
        await cache.GetHistoryAsync("g", "late");
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task The_number_of_events_remembered_is_bounded_too()
    {
        var store = await NewStoreAsync();
        for (var u = 0; u < 6; u++)
        {
            await store.AppendAsync("g", "heavy" + u, [.. Enumerable.Range(0, 9).Select(e => Event($"{u}-{e}", "heavy" + u))]);
        }

        // 10 per user (9 events and the entry): past 40 the cache sweeps, and past half of it starts empty.
        var cache = new HistoryCache(store, _time, TimeSpan.FromSeconds(1), eventBudget: 40);
        for (var u = 0; u < 4; u++)
        {
            await cache.GetHistoryAsync("g", "heavy" + u);
        }

        Assert.Equal(4, cache.Count);
        await cache.GetHistoryAsync("g", "heavy4");
        Assert.Equal(0, cache.Count);
        Assert.Equal(9, (await cache.GetHistoryAsync("g", "heavy5")).Events.Count);
        Assert.Equal(1, cache.Count);
    }

    private async Task<TableHistoryChangeFeed> NewFeedAsync(TableClient? table = null)
    {
        table ??= new TableClient(azurite.ConnectionString, "changes" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        return new TableHistoryChangeFeed(table, TimeProvider.System);
    }

    [Fact]
    public async Task With_a_change_feed_another_instances_write_is_seen_once_followed_and_entries_outlive_the_bound()
    {
        var store = await NewStoreAsync();
        var changes = new TableClient(azurite.ConnectionString, "changes" + Guid.NewGuid().ToString("N")[..8]);
        var first = new HistoryCache(store, _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        var second = new HistoryCache(store, _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        Assert.True(second.FollowsChanges);
        Assert.Equal(TimeSpan.FromSeconds(0.5), second.FollowInterval);
        Assert.Equal(TimeSpan.FromSeconds(0.1), new HistoryCache(store, _time, TimeSpan.FromSeconds(0.05), feed: await NewFeedAsync(changes)).FollowInterval);
        await second.FollowChangesAsync();
        Assert.Empty(await HistoryAsync(second));

        await first.AppendAsync("g", "u", [Event("a")]); // published before it returns
        Assert.Equal(["a"], await HistoryAsync(first));
        Assert.Empty(await HistoryAsync(second)); // not followed yet: still the remembered history
        Assert.True(await second.FollowChangesAsync() >= 1);
        Assert.Equal(["a"], await HistoryAsync(second));

        // Followed every half bound, an entry lives on past the bound: a write that bypasses the feed stays unseen.
        await store.AppendAsync("g", "u", [Event("b")]);
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(0.5));
            Assert.Equal(0, await second.FollowChangesAsync());
            Assert.Equal(["a"], await HistoryAsync(second));
        }

        // Not followed for longer than the bound: nothing is served from memory.
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Equal(["a", "b"], (await HistoryAsync(second)).Order());

        // A deletion through one instance reaches the other through the feed.
        await second.FollowChangesAsync();
        await first.DeleteUserAsync("g", "u", s_t0);
        Assert.Equal(2, (await HistoryAsync(second)).Length); // remembered until followed
        Assert.True(await second.FollowChangesAsync() >= 1);
        Assert.NotNull((await second.GetHistoryAsync("g", "u")).DeletedAt);
    }

    [Fact]
    public async Task While_the_change_feed_cannot_be_read_every_history_is_read_from_storage()
    {
        var store = await NewStoreAsync();
        var missing = new TableHistoryChangeFeed(new TableClient(azurite.ConnectionString, "nosuchtable" + Guid.NewGuid().ToString("N")[..8]), TimeProvider.System);
        var cache = new HistoryCache(store, _time, TimeSpan.FromSeconds(1), feed: missing);
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => cache.FollowChangesAsync());
        Assert.Empty(await HistoryAsync(cache));
        await store.AppendAsync("g", "u", [Event("a")]);
        Assert.Equal(["a"], await HistoryAsync(cache));
    }

    [Fact]
    public async Task A_read_under_way_when_a_change_arrives_through_the_feed_is_not_kept()
    {
        var store = await NewStoreAsync();
        var changes = new TableClient(azurite.ConnectionString, "changes" + Guid.NewGuid().ToString("N")[..8]);
        var writer = new HistoryCache(store, _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        var gated = new GatedReads(store);
        var reader = new HistoryCache(gated, _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        await reader.FollowChangesAsync();

        var slowRead = reader.GetHistoryAsync("g", "u");
        await gated.Fetched.Task; // it fetched the empty history
        await writer.AppendAsync("g", "u", [Event("a")]);
        Assert.True(await reader.FollowChangesAsync() >= 1);
        gated.Release.SetResult();
        Assert.Empty((await slowRead).Events);
        Assert.Equal(["a"], await HistoryAsync(reader));
    }

    [Fact]
    public async Task The_change_feed_delivers_a_large_publish_whole_and_each_change_once()
    {
        var changes = new TableClient(azurite.ConnectionString, "changes" + Guid.NewGuid().ToString("N")[..8]);
        var publisher = await NewFeedAsync(changes);
        var reader = await NewFeedAsync(changes);
        // Over 3 million characters, some escaped in JSON: over 100 rows, so more than one transaction.
        var users = Enumerable.Range(0, 80_000).Select(u => ("group-" + (u % 3), $"user-{u:D6}-with-a-long-id" + (u % 7 == 0 ? "-ü\"é" : ""))).ToArray();
        await publisher.PublishAsync(users);
        await publisher.PublishAsync([("g", "one more")]);

        var read = await reader.ReadNewAsync();
        Assert.Equal(users.Append(("g", "one more")).Order(), read.Order());
        Assert.Empty(await reader.ReadNewAsync()); // rows within the margin are read again, not delivered again
    }

    [Fact]
    public async Task A_user_without_a_history_costs_no_read_while_the_feed_is_followed_and_a_first_event_anywhere_is_seen()
    {
        var events = new TableClient(azurite.ConnectionString, "events" + Guid.NewGuid().ToString("N")[..8]);
        await events.CreateIfNotExistsAsync();
        var store = await NewStoreAsync(events);
        var changes = new TableClient(azurite.ConnectionString, "changes" + Guid.NewGuid().ToString("N")[..8]);
        var writer = new HistoryCache(store, _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        var counted = new GatedReads(store, gateFirstRead: false);
        var reader = new HistoryCache(counted, _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        await writer.AppendAsync("g", "known", [Event("k", "known")]);
        await reader.FollowChangesAsync();
        Assert.True(await reader.LoadHistoryMarksAsync("g"));

        Assert.Empty(await HistoryAsync(reader, "nobody"));
        Assert.Equal(0, counted.Reads);
        Assert.Equal(["k"], await HistoryAsync(reader, "known")); // marked: read
        Assert.Equal(1, counted.Reads);

        // Another instance's first event for the user is seen once followed, this instance's own at once.
        await writer.AppendAsync("g", "nobody", [Event("n", "nobody")]);
        Assert.True(await reader.FollowChangesAsync() >= 1);
        Assert.Equal(["n"], await HistoryAsync(reader, "nobody"));
        await reader.AppendAsync("g", "mine", [Event("m", "mine")]);
        Assert.Equal(["m"], await HistoryAsync(reader, "mine"));

        // Not followed for longer than the bound: the marks are not trusted, every history is read.
        _time.Advance(TimeSpan.FromSeconds(1.1));
        var reads = counted.Reads;
        Assert.Empty(await HistoryAsync(reader, "somebody else"));
        Assert.Equal(reads + 1, counted.Reads);

        // Followed again after a gap longer than an entry lives (the feed may have dropped changes): the marks are
        // trusted only once read again.
        _time.Advance(TimeSpan.FromMinutes(6));
        await reader.FollowChangesAsync();
        Assert.Empty(await HistoryAsync(reader, "a third user"));
        Assert.Equal(reads + 2, counted.Reads);
        Assert.True(await reader.LoadHistoryMarksAsync("g"));
        Assert.Empty(await HistoryAsync(reader, "a fourth user"));
        Assert.Equal(reads + 2, counted.Reads);

        // An instance started later reads the marks from storage: users marked before it started are read.
        var later = new HistoryCache(await NewStoreAsync(events), _time, TimeSpan.FromSeconds(1), feed: await NewFeedAsync(changes));
        await later.FollowChangesAsync();
        Assert.True(await later.LoadHistoryMarksAsync("g"));
        Assert.Equal(["n"], await HistoryAsync(later, "nobody"));
        Assert.Equal(["m"], await HistoryAsync(later, "mine"));
    }

    /// <summary>The real store, counting history reads; with <paramref name="gateFirstRead"/> its first read waits after fetching until released.</summary>
    private sealed class GatedReads(IEventStore inner, bool gateFirstRead = true) : IEventStore
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public TaskCompletionSource Fetched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
        {
            var history = await inner.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
            if (Interlocked.Increment(ref _reads) == 1 && gateFirstRead)
            {
                Fetched.SetResult();
                await Release.Task;
            }

            return history;
        }

        public Task<EventAppendResult> AppendAsync(string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
            => inner.AppendAsync(datasetGroup, userOrSessionId, events, cancellationToken);

        public IAsyncEnumerable<InteractionEvent> ReadAllAsync(string datasetGroup, DateTimeOffset? receivedAfter = null, DateTimeOffset? receivedThrough = null, CancellationToken cancellationToken = default)
            => inner.ReadAllAsync(datasetGroup, receivedAfter, receivedThrough, cancellationToken);

        public Task<long> DeleteEventsAsync(string datasetGroup, DateTimeOffset receivedThrough, CancellationToken cancellationToken = default)
            => inner.DeleteEventsAsync(datasetGroup, receivedThrough, cancellationToken);

        public Task<HistoryMarks?> ReadHistoryMarksAsync(string datasetGroup, CancellationToken cancellationToken = default)
            => inner.ReadHistoryMarksAsync(datasetGroup, cancellationToken);

        public Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
            => inner.DeleteUserAsync(datasetGroup, userId, deletedAt, cancellationToken);
    }
}
