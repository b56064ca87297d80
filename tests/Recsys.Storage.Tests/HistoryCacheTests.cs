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

    private async Task<TableEventStore> NewStoreAsync()
    {
        var table = new TableClient(azurite.ConnectionString, "events" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
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

    /// <summary>The real store, whose first history read waits after fetching until released.</summary>
    private sealed class GatedReads(IEventStore inner) : IEventStore
    {
        private int _reads;

        public TaskCompletionSource Fetched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
        {
            var history = await inner.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
            if (Interlocked.Increment(ref _reads) == 1)
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

        public Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
            => inner.DeleteUserAsync(datasetGroup, userId, deletedAt, cancellationToken);
    }
}
