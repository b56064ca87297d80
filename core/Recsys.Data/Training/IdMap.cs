using System.Diagnostics.CodeAnalysis;

namespace Recsys.Data.Training;

/// <summary>
/// A two-way map between string ids and dense indexes 0..Count-1, in order of first appearance. Lookups accept
/// character spans, so ids read from segments need no string allocation once known. Not thread-safe for writes.
/// </summary>
public sealed class IdMap
{
    private readonly Dictionary<string, int> _indexes;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string[] _ids;

    /// <summary>Creates an empty map.</summary>
    public IdMap(int capacity = 0)
    {
        _indexes = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        _lookup = _indexes.GetAlternateLookup<ReadOnlySpan<char>>();
        _ids = new string[Math.Max(capacity, 16)];
    }

    private IdMap(IdMap source)
    {
        _indexes = new Dictionary<string, int>(source._indexes, StringComparer.Ordinal);
        _lookup = _indexes.GetAlternateLookup<ReadOnlySpan<char>>();
        _ids = source._ids;
    }

    /// <summary>Number of ids.</summary>
    public int Count => _indexes.Count;

    /// <summary>The ids in index order.</summary>
    public ReadOnlySpan<string> Ids => _ids.AsSpan(0, Count);

    /// <summary>The id at <paramref name="index"/>.</summary>
    public string this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _ids[index];
        }
    }

    /// <summary>The index of <paramref name="id"/>, adding it when new.</summary>
    public int GetOrAdd(ReadOnlySpan<char> id)
    {
        if (_lookup.TryGetValue(id, out var index))
        {
            return index;
        }

        return Add(id.ToString());
    }

    /// <summary>The index of <paramref name="id"/>, adding it when new.</summary>
    public int GetOrAdd(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _indexes.TryGetValue(id, out var index) ? index : Add(id);
    }

    /// <summary>Finds the index of <paramref name="id"/>.</summary>
    public bool TryGetIndex(ReadOnlySpan<char> id, out int index) => _lookup.TryGetValue(id, out index);

    /// <summary>Finds the index of <paramref name="id"/>.</summary>
    public bool TryGetIndex([NotNullWhen(true)] string? id, out int index)
    {
        if (id is null)
        {
            index = -1;
            return false;
        }

        return _indexes.TryGetValue(id, out index);
    }

    /// <summary>A copy that later additions to this map do not change (the id array is shared, copy-on-grow).</summary>
    internal IdMap Snapshot() => new(this);

    private int Add(string id)
    {
        var index = _indexes.Count;
        if (index == _ids.Length)
        {
            // Copy rather than resize in place: snapshots keep reading the old array.
            var grown = new string[_ids.Length * 2];
            _ids.AsSpan().CopyTo(grown);
            _ids = grown;
        }

        _ids[index] = id;
        _indexes.Add(id, index);
        return index;
    }
}
