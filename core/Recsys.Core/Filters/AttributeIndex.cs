using System.Numerics;

namespace Recsys.Core.Filters;

/// <summary>
/// The metadata filters read for one kind of entity (items or users), by dense row index: row <c>i</c> is the entity
/// the caller calls <c>i</c> (for items, the model's item index, so that a filter runs on candidate indexes directly).
/// </summary>
public interface IAttributeIndex
{
    /// <summary>Number of rows (entities); valid rows are <c>0 .. Count-1</c>.</summary>
    int Count { get; }

    /// <summary>The row of the entity with identifier <paramref name="id"/>.</summary>
    bool TryGetIndex(string id, out int index);

    /// <summary>The values of a string field (categorical fields hold several per row), or null when there is no such field.</summary>
    CategoricalField? FindCategorical(string field);

    /// <summary>The values of a numeric field, or null when there is no such field.</summary>
    NumericField? FindNumeric(string field);
}

/// <summary>
/// A string field's values by row, held compactly: each distinct value gets an id and each row the sorted ids of its
/// values (a categorical cell <c>a|b</c> has two). Membership tests cost a merge of two short sorted lists; a constant
/// value list can be turned into a bitset of rows once (<see cref="RowsWithAny"/>).
/// </summary>
public sealed class CategoricalField
{
    private readonly int[] _offsets;
    private readonly int[] _valueIds;
    private readonly string[] _values;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates the column from each row's values (null or empty for none).</summary>
    /// <param name="valuesByRow">The values of each row, in row order.</param>
    /// <param name="ignoreCase">Match values ignoring case (Personalize does so for event types only).</param>
    public CategoricalField(IReadOnlyList<IReadOnlyCollection<string>?> valuesByRow, bool ignoreCase = false)
    {
        ArgumentNullException.ThrowIfNull(valuesByRow);
        IgnoreCase = ignoreCase;
        _ids = new Dictionary<string, int>(ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var values = new List<string>();
        _offsets = new int[valuesByRow.Count + 1];
        var ids = new List<int>();
        var row = new List<int>();
        for (var i = 0; i < valuesByRow.Count; i++)
        {
            row.Clear();
            foreach (var value in valuesByRow[i] ?? [])
            {
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }

                if (!_ids.TryGetValue(value, out var id))
                {
                    id = values.Count;
                    _ids.Add(value, id);
                    values.Add(value);
                }

                row.Add(id);
            }

            row.Sort();
            var previous = -1;
            foreach (var id in row)
            {
                if (id != previous)
                {
                    ids.Add(id);
                    previous = id;
                }
            }

            _offsets[i + 1] = ids.Count;
        }

        _valueIds = [.. ids];
        _values = [.. values];
    }

    /// <summary>Number of rows.</summary>
    public int RowCount => _offsets.Length - 1;

    /// <summary>Number of distinct values.</summary>
    public int DistinctCount => _values.Length;

    /// <summary>Whether values match ignoring case.</summary>
    public bool IgnoreCase { get; }

    /// <summary>The values of <paramref name="row"/> (empty for a row out of range or without values).</summary>
    public IReadOnlyList<string> ValuesAt(int row)
    {
        if ((uint)row >= (uint)RowCount)
        {
            return [];
        }

        var ids = ValueIds(row);
        var result = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            result[i] = _values[ids[i]];
        }

        return result;
    }

    /// <summary>The sorted ids of the values in <paramref name="values"/> that occur in the column; unknown values are dropped.</summary>
    internal int[] ToSortedIds(IEnumerable<string> values)
    {
        var ids = new List<int>();
        foreach (var value in values)
        {
            if (_ids.TryGetValue(value, out var id))
            {
                ids.Add(id);
            }
        }

        ids.Sort();
        return [.. ids.Distinct()];
    }

    /// <summary>The sorted ids of <paramref name="row"/>'s values.</summary>
    internal ReadOnlySpan<int> ValueIds(int row) => (uint)row < (uint)RowCount
        ? _valueIds.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row])
        : [];

    /// <summary>Whether <paramref name="row"/> has any value.</summary>
    internal bool HasAnyValue(int row) => (uint)row < (uint)RowCount && _offsets[row + 1] > _offsets[row];

    /// <summary>Whether <paramref name="row"/> has one of the values whose sorted ids are <paramref name="sortedIds"/>.</summary>
    internal bool HasAny(int row, ReadOnlySpan<int> sortedIds)
    {
        var own = ValueIds(row);
        int i = 0, j = 0;
        while (i < own.Length && j < sortedIds.Length)
        {
            var a = own[i];
            var b = sortedIds[j];
            if (a == b)
            {
                return true;
            }

            if (a < b)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return false;
    }

    /// <summary>A bitset of the rows with one of the values (sorted ids), over <paramref name="rowCount"/> rows.</summary>
    internal ulong[] RowsWithAny(ReadOnlySpan<int> sortedIds, int rowCount)
    {
        var bits = Bits.Create(rowCount);
        var rows = Math.Min(rowCount, RowCount);
        for (var row = 0; row < rows; row++)
        {
            if (HasAny(row, sortedIds))
            {
                Bits.Set(bits, row);
            }
        }

        return bits;
    }
}

/// <summary>A numeric field's values by row, as doubles (exact for every int and for longs up to 2^53), with the rows that have none.</summary>
public sealed class NumericField
{
    private readonly double[] _values;
    private readonly ulong[] _missing;

    /// <summary>Creates the column.</summary>
    /// <param name="values">The value of each row.</param>
    /// <param name="missing">Which rows have no value (null: all have one).</param>
    public NumericField(double[] values, bool[]? missing = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (missing is not null && missing.Length != values.Length)
        {
            throw new ArgumentException("missing must have one flag per value.", nameof(missing));
        }

        _values = values;
        _missing = Bits.Create(values.Length);
        for (var i = 0; missing is not null && i < missing.Length; i++)
        {
            if (missing[i])
            {
                Bits.Set(_missing, i);
            }
        }
    }

    /// <summary>Number of rows.</summary>
    public int RowCount => _values.Length;

    /// <summary>The value of <paramref name="row"/>, if it has one.</summary>
    public bool TryGetValue(int row, out double value)
    {
        if ((uint)row >= (uint)_values.Length || Bits.Get(_missing, row))
        {
            value = 0;
            return false;
        }

        value = _values[row];
        return true;
    }
}

/// <summary>Dense bitsets over row indexes.</summary>
internal static class Bits
{
    public static ulong[] Create(int count) => new ulong[(count + 63) >> 6];

    public static void Set(ulong[] bits, int index) => bits[index >> 6] |= 1UL << index;

    public static bool Get(ulong[] bits, int index)
    {
        var word = index >> 6;
        return (uint)word < (uint)bits.Length && (bits[word] & (1UL << index)) != 0;
    }

    public static int Count(ulong[] bits)
    {
        var count = 0;
        foreach (var word in bits)
        {
            count += BitOperations.PopCount(word);
        }

        return count;
    }
}
