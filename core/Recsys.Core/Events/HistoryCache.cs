using System.Collections.Concurrent;

namespace Recsys.Core.Events;

/// <summary>
/// An <see cref="IEventStore"/> that remembers the histories serving reads for a short time, so that a user asking
/// again within it (a page with several widgets, paging, a refresh) costs no storage read. Writes through this store
/// forget the user's entry at once, so on one instance the next request sees the last event; another instance's
/// write is seen once the entry expires (Personalize itself reflects an event within 1–2 seconds). Every other call
/// passes through.
/// </summary>
/// <remarks>
/// A read that started before a write through this store never replaces what that write left: entries carry the
/// order in which their read started, and a forgotten entry is a newer marker. Memory is bounded: expired entries are
/// swept every few lifetimes, and past the capacity at once (if that is not enough, the cache starts empty), so a
/// batch job that reads a million histories keeps only the last moments' worth.
/// </remarks>
public sealed class HistoryCache : IEventStore
{
    /// <summary>Most users remembered per instance by default (a history is at most a few kilobytes).</summary>
    public const int DefaultCapacity = 20_000;

    /// <summary>Expired entries are swept at least this many lifetimes apart.</summary>
    private const int SweepEveryLifetimes = 5;

    private readonly IEventStore _inner;
    private readonly TimeProvider _time;
    private readonly long _lifetimeTicks;
    private readonly int _capacity;
    private readonly int _countEvery;
    private readonly ConcurrentDictionary<(string DatasetGroup, string User), Entry> _entries = new();
    private long _order;
    private long _nextSweep;
    private int _sweeping;

    /// <summary>Wraps <paramref name="inner"/>; histories are kept for <paramref name="lifetime"/> (zero: not at all), for at most <paramref name="capacity"/> users.</summary>
    public HistoryCache(IEventStore inner, TimeProvider time, TimeSpan lifetime, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;

        // Counting a concurrent dictionary takes all its locks: it is done every so many reads, not on each.
        _countEvery = Math.Clamp(capacity / 16, 1, 1024);
        _inner = inner;
        _time = time;
        _lifetimeTicks = (long)(lifetime.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Users remembered now (forgotten markers included).</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public async Task<EventAppendResult> AppendAsync(string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.AppendAsync(datasetGroup, userOrSessionId, events, cancellationToken);
        }
        finally
        {
            // Also when the write failed: it may have landed.
            Forget(datasetGroup, userOrSessionId);
        }
    }

    /// <inheritdoc />
    public async Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
    {
        if (_lifetimeTicks == 0)
        {
            return await _inner.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);
        }

        var key = (datasetGroup, userOrSessionId);
        var started = _time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.History is { } remembered && started < entry.Expires)
        {
            return remembered;
        }

        var order = Interlocked.Increment(ref _order);
        var history = await _inner.GetHistoryAsync(datasetGroup, userOrSessionId, cancellationToken);

        // The entry expires a lifetime after the read started, so nothing served is older than that.
        var fresh = new Entry(history, order, started + _lifetimeTicks);
        _entries.AddOrUpdate(key, fresh, (_, current) => current.Order > order ? current : fresh);
        if (started >= Volatile.Read(ref _nextSweep) || (order % _countEvery == 0 && _entries.Count > _capacity))
        {
            Sweep();
        }

        return history;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<InteractionEvent> ReadAllAsync(
        string datasetGroup, DateTimeOffset? receivedAfter = null, DateTimeOffset? receivedThrough = null, CancellationToken cancellationToken = default)
        => _inner.ReadAllAsync(datasetGroup, receivedAfter, receivedThrough, cancellationToken);

    /// <inheritdoc />
    public Task<long> DeleteEventsAsync(string datasetGroup, DateTimeOffset receivedThrough, CancellationToken cancellationToken = default)
        => _inner.DeleteEventsAsync(datasetGroup, receivedThrough, cancellationToken);

    /// <inheritdoc />
    public async Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.DeleteUserAsync(datasetGroup, userId, deletedAt, cancellationToken);
        }
        finally
        {
            Forget(datasetGroup, userId);
        }
    }

    /// <summary>Replaces the user's entry by a marker newer than every read in flight (kept a lifetime, then swept).</summary>
    private void Forget(string datasetGroup, string user)
    {
        if (_lifetimeTicks != 0)
        {
            _entries[(datasetGroup, user)] = new Entry(null, Interlocked.Increment(ref _order), _time.GetTimestamp() + _lifetimeTicks);
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
            Volatile.Write(ref _nextSweep, now + (SweepEveryLifetimes * _lifetimeTicks));
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                {
                    _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry));
                }
            }

            if (_entries.Count > _capacity)
            {
                _entries.Clear();
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>A remembered history (null: forgotten by a write), the order its read started in, and when it expires.</summary>
    private sealed record Entry(EventHistory? History, long Order, long Expires);
}
