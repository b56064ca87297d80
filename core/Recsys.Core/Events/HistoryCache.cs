using System.Collections.Concurrent;

namespace Recsys.Core.Events;

/// <summary>
/// An <see cref="IEventStore"/> that remembers the histories serving reads, so that a user asking again (a page with
/// several widgets, paging, a refresh, the next screen) costs no storage read. Writes through this store forget the
/// user's entry at once, so on one instance the next request sees the last event. A write made through another
/// instance is seen within the staleness bound (Personalize itself reflects an event within 1–2 seconds): with an
/// <see cref="IHistoryChangeFeed"/>, every write is published before it is acknowledged and each instance follows the
/// feed (<see cref="FollowChangesAsync"/>, every half bound), so entries live for minutes and are dropped when their
/// user changes; while the feed cannot be followed nothing is served from memory. Without a feed, entries simply
/// expire after the bound. Every other call passes through.
/// With a feed, a user who has never had a history costs no read either (most users asking for recommendations send
/// no events): the store's <see cref="HistoryMarks"/> of the dataset group are read once every few minutes and kept
/// current with this instance's writes and the feed's changes, and a user whose bucket is clear gets an empty history.
/// </summary>
/// <remarks>
/// A read that started before a write never replaces what that write left: entries carry the order in which their
/// read started; a write through this instance leaves a newer marker, and a change from the feed (or a full cache)
/// raises the order a read must have to be kept. Memory is bounded, in users and in events: expired entries are swept
/// every few bounds, and past either bound at once (if that is not enough, the cache starts empty), so a batch job
/// that reads a million histories keeps only the last moments' worth.
/// </remarks>
public sealed class HistoryCache : IEventStore
{
    /// <summary>Most users remembered per instance by default (a history is at most a few kilobytes).</summary>
    public const int DefaultCapacity = 20_000;

    /// <summary>Most events remembered per instance (a few hundred bytes each: tens of megabytes).</summary>
    public const int DefaultEventBudget = 250_000;

    /// <summary>
    /// How long an entry lives when a change feed keeps it current (a memory bound, not a freshness one). Shorter than
    /// the time a feed keeps its changes, so a reader that could not follow the feed for a while misses nothing.
    /// </summary>
    public static readonly TimeSpan FollowedEntryLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a write's marker guards against reads that started before it, when a change feed is followed (the
    /// feed itself then drops what such a read brings in); without a feed, the staleness bound.
    /// </summary>
    private static readonly TimeSpan s_followedMarkerLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Expired entries are swept at least this many staleness bounds apart.</summary>
    private const int SweepEveryBounds = 5;

    private readonly IEventStore _inner;
    private readonly TimeProvider _time;
    private readonly IHistoryChangeFeed? _feed;
    private readonly GroupCommit<(string DatasetGroup, string User)>? _publisher;
    private readonly long _staleTicks;
    private readonly long _entryTicks;
    private readonly long _markerTicks;
    private readonly long _marksGapTicks;
    private readonly int _capacity;
    private readonly int _eventBudget;
    private readonly int _countEvery;
    private readonly ConcurrentDictionary<(string DatasetGroup, string User), Entry> _entries = new();
    private readonly ConcurrentDictionary<string, GroupMarks> _marks = new(StringComparer.Ordinal);
    private long _order;
    private long _floor;
    private long _followedAt = long.MinValue;
    private long _nextSweep;
    private long _eventsAdded;
    private int _sweeping;
    private long _marksEpoch;
    private long _lastFollowStart;

    /// <summary>
    /// Wraps <paramref name="inner"/>; a served history misses no write made more than <paramref name="staleness"/>
    /// before (zero: histories are read on every call). With <paramref name="feed"/> the cache publishes this
    /// instance's writes and must follow the others' with <see cref="FollowChangesAsync"/>; at most
    /// <paramref name="capacity"/> users and <paramref name="eventBudget"/> events are remembered.
    /// </summary>
    public HistoryCache(
        IEventStore inner, TimeProvider time, TimeSpan staleness, int capacity = DefaultCapacity, IHistoryChangeFeed? feed = null, int eventBudget = DefaultEventBudget)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(staleness, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(eventBudget, 2);
        _capacity = capacity;
        _eventBudget = eventBudget;

        // Counting a concurrent dictionary takes all its locks: it is done every so many reads, not on each.
        _countEvery = Math.Clamp(capacity / 16, 1, 1024);
        _inner = inner;
        _time = time;
        _staleTicks = (long)(staleness.TotalSeconds * time.TimestampFrequency);
        if (feed is not null && _staleTicks > 0)
        {
            _feed = feed;
            _publisher = new GroupCommit<(string DatasetGroup, string User)>(changes => feed.PublishAsync(changes, CancellationToken.None));
            _entryTicks = Math.Max(_staleTicks, (long)(FollowedEntryLifetime.TotalSeconds * time.TimestampFrequency));
            _markerTicks = Math.Max(_staleTicks, (long)(s_followedMarkerLifetime.TotalSeconds * time.TimestampFrequency));
        }
        else
        {
            _entryTicks = _markerTicks = _staleTicks;
        }

        // Well inside the time a feed keeps its changes (15 minutes for the table feed), whatever the bound.
        _marksGapTicks = (long)(FollowedEntryLifetime.TotalSeconds * time.TimestampFrequency);
        _lastFollowStart = time.GetTimestamp();
    }

    /// <summary>Users remembered now (forgotten markers included).</summary>
    public int Count => _entries.Count;

    /// <summary>Whether this cache follows a change feed (then <see cref="FollowChangesAsync"/> must be called every <see cref="FollowInterval"/>).</summary>
    public bool FollowsChanges => _feed is not null;

    /// <summary>
    /// How often to follow the change feed: half the staleness bound, and not more often than every 100 ms (a bound set
    /// very low does not become a flood of queries; the cache then just serves little from memory).
    /// </summary>
    public TimeSpan FollowInterval => TimeSpan.FromSeconds(Math.Max(0.1, _staleTicks / 2.0 / _time.TimestampFrequency));

    /// <inheritdoc />
    public Task<EventAppendResult> AppendAsync(string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
        => WriteAsync(datasetGroup, userOrSessionId, () => _inner.AppendAsync(datasetGroup, userOrSessionId, events, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public async Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
    {
        if (_staleTicks == 0)
        {
            return await _inner.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
        }

        var key = (datasetGroup, userOrSessionId);
        var started = _time.GetTimestamp();
        var followed = _feed is null || Volatile.Read(ref _followedAt) > started - _staleTicks;
        if (_entries.TryGetValue(key, out var entry) && entry.History is { } remembered && started < entry.Expires && followed)
        {
            return remembered;
        }

        if (_feed is not null && followed && HasNoHistory(datasetGroup, userOrSessionId, started))
        {
            return new EventHistory(userOrSessionId, []);
        }

        var order = Interlocked.Increment(ref _order);
        var history = await _inner.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
        var fresh = new Entry(history, order, started + _entryTicks);
        _entries.AddOrUpdate(key, fresh, (_, current) => current.Order > order ? current : fresh);
        var events = Interlocked.Add(ref _eventsAdded, history.Events.Count + 1);
        if (order <= Volatile.Read(ref _floor))
        {
            // A change (or a clear) came in while this read was under way: it may predate it.
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, fresh));
        }

        if (started >= Volatile.Read(ref _nextSweep) || events > _eventBudget || (order % _countEvery == 0 && _entries.Count > _capacity))
        {
            Sweep();
        }

        return history;
    }

    /// <summary>
    /// Reads the changes other instances published since the last call and drops their users' entries; from then on
    /// for a staleness bound, remembered histories may be served. Throws what the feed throws (nothing is served from
    /// memory until a call succeeds again). Returns how many changes were read.
    /// </summary>
    public async Task<int> FollowChangesAsync(CancellationToken cancellationToken = default)
    {
        if (_feed is null)
        {
            throw new InvalidOperationException("This cache has no change feed to follow.");
        }

        var started = _time.GetTimestamp();
        var changed = await _feed.ReadNewAsync(cancellationToken);
        if (changed.Count > 0)
        {
            RaiseFloor();
            foreach (var key in changed)
            {
                _entries.TryRemove(key, out _);
                MarksOf(key.DatasetGroup).Marks.Add(key.User);
            }
        }

        // Not followed for longer than the marks gap (since the last follow, or since this cache was created): the feed
        // may have dropped changes meanwhile, so the marks are trusted again only once read from storage anew.
        var previous = Interlocked.Exchange(ref _lastFollowStart, started);
        if (started - previous > _marksGapTicks)
        {
            Interlocked.Increment(ref _marksEpoch);
            foreach (var group in _marks.Values)
            {
                lock (group)
                {
                    group.Loaded = false;
                    group.NextLoad = 0;
                }
            }
        }

        Volatile.Write(ref _followedAt, started);
        return changed.Count;
    }

    /// <summary>
    /// Reads from storage which users of <paramref name="datasetGroup"/> may have a history, so that a request for any
    /// other user costs no read (done by itself on the group's first request and every few minutes after; failures
    /// are retried a few seconds later). Returns whether they are now trusted.
    /// </summary>
    public async Task<bool> LoadHistoryMarksAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetGroup);
        if (_feed is null)
        {
            return false;
        }

        var group = MarksOf(datasetGroup);
        var started = _time.GetTimestamp();
        var epoch = Volatile.Read(ref _marksEpoch);
        lock (group)
        {
            group.NextLoad = started + (_staleTicks * SweepEveryBounds); // a failure is tried again then
        }

        var stored = await _inner.ReadHistoryMarksAsync(datasetGroup, cancellationToken);
        if (stored is not null)
        {
            group.Marks.UnionWith(stored);
        }

        lock (group)
        {
            // Marks read before a gap in following are not trusted: read again at once.
            var trusted = epoch == Volatile.Read(ref _marksEpoch);
            group.NextLoad = trusted ? started + _entryTicks : 0;
            group.Loaded |= trusted && stored is not null;
            return trusted && stored is not null;
        }
    }

    private GroupMarks MarksOf(string datasetGroup) => _marks.GetOrAdd(datasetGroup, static _ => new GroupMarks());

    /// <summary>
    /// Whether the marks prove the user has no history (the caller checked that the feed is followed); starts loading
    /// the group's marks when they are due.
    /// </summary>
    private bool HasNoHistory(string datasetGroup, string user, long now)
    {
        var group = MarksOf(datasetGroup);
        if (now >= Volatile.Read(ref group.NextLoad) && Interlocked.CompareExchange(ref group.Loading, 1, 0) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await LoadHistoryMarksAsync(datasetGroup);
                }
                catch (Exception)
                {
                    // Storage is failing: reads go to storage meanwhile, and the load is tried again when due.
                }
                finally
                {
                    Volatile.Write(ref group.Loading, 0);
                }
            });
        }

        return group.Loaded && !group.Marks.MayHave(user);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<InteractionEvent> ReadAllAsync(
        string datasetGroup, DateTimeOffset? receivedAfter = null, DateTimeOffset? receivedThrough = null, CancellationToken cancellationToken = default)
        => _inner.ReadAllAsync(datasetGroup, receivedAfter, receivedThrough, cancellationToken);

    /// <inheritdoc />
    public Task<HistoryMarks?> ReadHistoryMarksAsync(string datasetGroup, CancellationToken cancellationToken = default)
        => _inner.ReadHistoryMarksAsync(datasetGroup, cancellationToken);

    /// <inheritdoc />
    public Task<long> DeleteEventsAsync(string datasetGroup, DateTimeOffset receivedThrough, CancellationToken cancellationToken = default)
        => _inner.DeleteEventsAsync(datasetGroup, receivedThrough, cancellationToken);

    /// <inheritdoc />
    public Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
        => WriteAsync(datasetGroup, userId, () => _inner.DeleteUserAsync(datasetGroup, userId, deletedAt, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs a write of the user's history, then forgets the user here and publishes the change to the other instances
    /// before the write is acknowledged. A failed write may have landed all the same: the user is forgotten and the
    /// change published as best it can be, and the caller gets the write's own error.
    /// </summary>
    private async Task<T> WriteAsync<T>(string datasetGroup, string user, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        // Marked here before the write, so that this instance serves its own writes at once.
        MarksOf(datasetGroup).Marks.Add(user);

        T result;
        try
        {
            result = await write();
        }
        catch
        {
            Forget(datasetGroup, user, publishQuietly: true);
            throw;
        }

        Forget(datasetGroup, user, publishQuietly: false);
        if (_publisher is not null)
        {
            await _publisher.AddAsync((datasetGroup, user), cancellationToken);
        }

        return result;
    }

    /// <summary>Replaces the user's entry by a marker newer than every read in flight (swept when it expires).</summary>
    private void Forget(string datasetGroup, string user, bool publishQuietly)
    {
        if (_staleTicks == 0)
        {
            return;
        }

        _entries[(datasetGroup, user)] = new Entry(null, Interlocked.Increment(ref _order), _time.GetTimestamp() + _markerTicks);
        if (publishQuietly && _publisher is not null)
        {
            _publisher.AddAsync((datasetGroup, user), CancellationToken.None).ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>From now on, reads that started before are not kept.</summary>
    private void RaiseFloor()
    {
        var order = Interlocked.Increment(ref _order);
        var floor = Volatile.Read(ref _floor);
        while (floor < order && Interlocked.CompareExchange(ref _floor, order, floor) is var seen && seen != floor)
        {
            floor = seen;
        }
    }

    /// <summary>Drops expired entries (one sweep at a time); if the cache is still over its capacity, it starts empty.</summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _nextSweep, now + (SweepEveryBounds * _staleTicks));
            long events = 0;
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                {
                    _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry));
                }
                else
                {
                    events += (entry.History?.Events.Count ?? 0) + 1;
                }
            }

            // Past half the event budget it starts empty, so that the next sweep is half a budget of reads away.
            if (_entries.Count > _capacity || events > _eventBudget / 2)
            {
                // Markers go too: the reads they guard against are not kept either.
                RaiseFloor();
                _entries.Clear();
                events = 0;
            }

            Volatile.Write(ref _eventsAdded, events);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>A remembered history (null: forgotten by a write), the order its read started in, and when it expires.</summary>
    private sealed record Entry(EventHistory? History, long Order, long Expires);

    /// <summary>
    /// A dataset group's marks as this instance knows them: what storage held when last read, plus every change seen
    /// since (own writes and the feed's). Trusted once <see cref="Loaded"/>, and only while the feed is followed.
    /// </summary>
    private sealed class GroupMarks
    {
        public readonly HistoryMarks Marks = new();
        public long NextLoad;
        public int Loading;
        public volatile bool Loaded;
    }
}
