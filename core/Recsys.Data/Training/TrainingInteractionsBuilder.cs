using Recsys.Data.Records;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;

namespace Recsys.Data.Training;

/// <summary>Decides whether training reads an interaction row, by its user and timestamp (epoch seconds).</summary>
public delegate bool InteractionRowFilter(ReadOnlySpan<char> userId, long timestamp);

/// <summary>
/// Loads interactions for training: imported segments (<see cref="AddSegmentAsync(Stream, InteractionRowFilter?, CancellationToken)"/>), record batches, or single rows
/// by id (<see cref="Add(string, string, long, string?, float?)"/>, e.g. real-time events). <see cref="Build"/> returns
/// a snapshot; the builder can keep growing afterwards. Not thread-safe.
/// </summary>
public sealed class TrainingInteractionsBuilder
{
    /// <summary>Personalize allows a handful of event types per dataset; codes are shorts to keep rows small.</summary>
    private const int MaxEventTypes = short.MaxValue;

    private static readonly string[] s_trainingFields =
        [ReservedFields.UserId, ReservedFields.ItemId, ReservedFields.Timestamp, ReservedFields.EventType, ReservedFields.EventValue];

    private readonly IdMap _users;
    private readonly IdMap _items;
    private readonly IdMap _eventTypes = new();
    private int[] _userIndexes;
    private int[] _itemIndexes;
    private long[] _timestamps;
    private short[] _eventTypeCodes;
    private float[] _eventValues;
    private bool _shared;

    /// <summary>Creates an empty builder, optionally sized for <paramref name="capacity"/> interactions.</summary>
    public TrainingInteractionsBuilder(int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _users = new IdMap();
        _items = new IdMap();
        capacity = Math.Max(capacity, 1024);
        _userIndexes = new int[capacity];
        _itemIndexes = new int[capacity];
        _timestamps = new long[capacity];
        _eventTypeCodes = new short[capacity];
        _eventValues = new float[capacity];
    }

    /// <summary>Interactions added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Reads every row of an interactions segment (only the columns training uses).</summary>
    /// <exception cref="InvalidDataException">The segment does not hold interactions.</exception>
    public Task AddSegmentAsync(Stream segment, CancellationToken cancellationToken = default) => AddSegmentAsync(segment, null, cancellationToken);

    /// <summary>Reads the rows of an interactions segment that <paramref name="keep"/> accepts (every row when null).</summary>
    /// <exception cref="InvalidDataException">The segment does not hold interactions.</exception>
    public async Task AddSegmentAsync(Stream segment, InteractionRowFilter? keep, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetSegmentReader.OpenAsync(segment, cancellationToken);
        if (reader.Schema.DatasetType != DatasetType.Interactions)
        {
            throw new InvalidDataException($"The segment holds {reader.Schema.DatasetType}, not Interactions.");
        }

        EnsureCapacity(checked((int)(Count + reader.RowCount)));
        await foreach (var batch in reader.ReadBatchesAsync(s_trainingFields, cancellationToken))
        {
            if (keep is null)
            {
                AddBatch(batch);
            }
            else
            {
                AddRows(batch, keep);
            }
        }
    }

    private void AddRows(RecordBatch batch, InteractionRowFilter keep)
    {
        var users = batch.GetStringColumn(ReservedFields.UserId).Values;
        var items = batch.GetStringColumn(ReservedFields.ItemId).Values;
        var timestamps = batch.GetColumn<long>(ReservedFields.Timestamp).Values;
        var eventTypes = batch.FindStringColumn(ReservedFields.EventType);
        var eventValues = batch.FindColumn<float>(ReservedFields.EventValue);
        for (var row = 0; row < batch.Count; row++)
        {
            if (keep(users[row].Span, timestamps[row]))
            {
                Add(users[row].Span, items[row].Span, timestamps[row], eventTypes is null ? default : eventTypes[row], eventValues?[row]);
            }
        }
    }

    /// <summary>Adds every row of an interactions batch.</summary>
    public void AddBatch(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Schema.DatasetType != DatasetType.Interactions)
        {
            throw new ArgumentException($"The batch holds {batch.Schema.DatasetType}, not Interactions.", nameof(batch));
        }

        var count = batch.Count;
        EnsureCapacity(Count + count);
        var users = batch.GetStringColumn(ReservedFields.UserId).Values;
        var items = batch.GetStringColumn(ReservedFields.ItemId).Values;
        var timestamps = batch.GetColumn<long>(ReservedFields.Timestamp).Values;
        var eventTypes = batch.FindStringColumn(ReservedFields.EventType);
        var eventValues = batch.FindColumn<float>(ReservedFields.EventValue);
        var offset = Count;

        var userIndexes = _userIndexes.AsSpan(offset, count);
        var itemIndexes = _itemIndexes.AsSpan(offset, count);
        for (var row = 0; row < count; row++)
        {
            userIndexes[row] = _users.GetOrAdd(users[row].Span);
            itemIndexes[row] = _items.GetOrAdd(items[row].Span);
        }

        timestamps.CopyTo(_timestamps.AsSpan(offset, count));

        var codes = _eventTypeCodes.AsSpan(offset, count);
        if (eventTypes is null)
        {
            codes.Fill(-1);
        }
        else
        {
            var values = eventTypes.Values;
            for (var row = 0; row < count; row++)
            {
                codes[row] = EventTypeCode(values[row].Span);
            }
        }

        var target = _eventValues.AsSpan(offset, count);
        if (eventValues is null)
        {
            target.Fill(float.NaN);
        }
        else
        {
            eventValues.Values.CopyTo(target);
            var nulls = eventValues.Nulls;
            for (var row = 0; row < nulls.Length; row++)
            {
                if (nulls[row])
                {
                    target[row] = float.NaN;
                }
            }
        }

        Count += count;
    }

    /// <summary>Adds one interaction by id.</summary>
    public void Add(string userId, string itemId, long timestamp, string? eventType = null, float? eventValue = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        Add(userId.AsSpan(), itemId.AsSpan(), timestamp, eventType.AsSpan(), eventValue);
    }

    /// <summary>Adds one interaction by id; an empty <paramref name="eventType"/> means none.</summary>
    public void Add(ReadOnlySpan<char> userId, ReadOnlySpan<char> itemId, long timestamp, ReadOnlySpan<char> eventType, float? eventValue)
    {
        if (userId.IsEmpty || itemId.IsEmpty)
        {
            throw new ArgumentException("User and item ids must not be empty.");
        }

        EnsureCapacity(Count + 1);
        _userIndexes[Count] = _users.GetOrAdd(userId);
        _itemIndexes[Count] = _items.GetOrAdd(itemId);
        _timestamps[Count] = timestamp;
        _eventTypeCodes[Count] = EventTypeCode(eventType);
        _eventValues[Count] = eventValue ?? float.NaN;
        Count++;
    }

    /// <summary>
    /// Removes repeated interactions — rows equal in user, item, timestamp, event type and event value, such as the
    /// same file imported twice or an imported event also sent with PutEvents — keeping the first of each, in order.
    /// Returns how many rows were removed. Linear in the rows plus a sort of each user's rows; snapshots already
    /// built keep their rows.
    /// </summary>
    public int RemoveDuplicates()
    {
        var count = Count;
        if (count < 2)
        {
            return 0;
        }

        // Row indexes grouped by user (a stable counting sort), then each user's rows sorted by the rest of the key.
        var users = _users.Count;
        var starts = new int[users + 1];
        foreach (var user in _userIndexes.AsSpan(0, count))
        {
            starts[user + 1]++;
        }

        for (var u = 0; u < users; u++)
        {
            starts[u + 1] += starts[u];
        }

        var order = GC.AllocateUninitializedArray<int>(count);
        var next = starts.AsSpan(0, users).ToArray();
        for (var row = 0; row < count; row++)
        {
            order[next[_userIndexes[row]]++] = row;
        }

        var comparer = new RowComparer(_itemIndexes, _timestamps, _eventTypeCodes, _eventValues);
        var duplicate = new bool[count];
        var removed = 0;
        for (var u = 0; u < users; u++)
        {
            var rows = order.AsSpan(starts[u], starts[u + 1] - starts[u]);
            if (rows.Length < 2)
            {
                continue;
            }

            rows.Sort(comparer); // ties end in row order, so the first occurrence stays
            for (var i = 1; i < rows.Length; i++)
            {
                if (comparer.SameInteraction(rows[i - 1], rows[i]))
                {
                    duplicate[rows[i]] = true;
                    removed++;
                }
            }
        }

        if (removed > 0)
        {
            Compact(duplicate, count - removed);
        }

        return removed;
    }

    /// <summary>
    /// A snapshot of the interactions added so far. It shares the row arrays (rows are never changed once added) and
    /// copies the id maps, so adding more rows afterwards does not change it.
    /// </summary>
    public TrainingInteractions Build()
    {
        _shared = true;
        return new(
            _users.Snapshot(),
            _items.Snapshot(),
            _eventTypes.Snapshot(),
            Count,
            _userIndexes,
            _itemIndexes,
            _timestamps,
            _eventTypeCodes,
            _eventValues);
    }

    private void Compact(bool[] drop, int kept)
    {
        // In place unless a snapshot shares the arrays, whose rows must not change.
        if (_shared)
        {
            var capacity = _userIndexes.Length;
            _userIndexes = Grow(_userIndexes, capacity, Count);
            _itemIndexes = Grow(_itemIndexes, capacity, Count);
            _timestamps = Grow(_timestamps, capacity, Count);
            _eventTypeCodes = Grow(_eventTypeCodes, capacity, Count);
            _eventValues = Grow(_eventValues, capacity, Count);
            _shared = false;
        }

        var to = 0;
        for (var row = 0; row < Count; row++)
        {
            if (drop[row])
            {
                continue;
            }

            _userIndexes[to] = _userIndexes[row];
            _itemIndexes[to] = _itemIndexes[row];
            _timestamps[to] = _timestamps[row];
            _eventTypeCodes[to] = _eventTypeCodes[row];
            _eventValues[to] = _eventValues[row];
            to++;
        }

        Count = kept;
    }

    private short EventTypeCode(ReadOnlySpan<char> eventType)
    {
        if (eventType.IsEmpty)
        {
            return -1;
        }

        var code = _eventTypes.GetOrAdd(eventType);
        return code < MaxEventTypes
            ? (short)code
            : throw new InvalidOperationException($"More than {MaxEventTypes} distinct event types.");
    }

    private void EnsureCapacity(int required)
    {
        if (required <= _userIndexes.Length)
        {
            return;
        }

        // New arrays rather than in-place resizing: snapshots keep the old ones.
        var capacity = (int)Math.Min(Array.MaxLength, Math.Max(required, (long)_userIndexes.Length * 2));
        _userIndexes = Grow(_userIndexes, capacity, Count);
        _itemIndexes = Grow(_itemIndexes, capacity, Count);
        _timestamps = Grow(_timestamps, capacity, Count);
        _eventTypeCodes = Grow(_eventTypeCodes, capacity, Count);
        _eventValues = Grow(_eventValues, capacity, Count);
    }

    /// <summary>Orders one user's rows by item, timestamp, event type, value bits and finally row index.</summary>
    private readonly struct RowComparer(int[] items, long[] timestamps, short[] eventTypes, float[] values) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var c = items[x].CompareTo(items[y]);
            if (c == 0)
            {
                c = timestamps[x].CompareTo(timestamps[y]);
            }

            if (c == 0)
            {
                c = eventTypes[x].CompareTo(eventTypes[y]);
            }

            if (c == 0)
            {
                c = ValueBits(x).CompareTo(ValueBits(y));
            }

            return c != 0 ? c : x.CompareTo(y);
        }

        public bool SameInteraction(int x, int y)
            => items[x] == items[y] && timestamps[x] == timestamps[y] && eventTypes[x] == eventTypes[y] && ValueBits(x) == ValueBits(y);

        // Bits, so that every missing value (NaN) equals every other.
        private int ValueBits(int row) => float.IsNaN(values[row]) ? int.MinValue : BitConverter.SingleToInt32Bits(values[row]);
    }

    private static T[] Grow<T>(T[] array, int capacity, int count)
    {
        var grown = GC.AllocateUninitializedArray<T>(capacity);
        array.AsSpan(0, count).CopyTo(grown);
        return grown;
    }
}
