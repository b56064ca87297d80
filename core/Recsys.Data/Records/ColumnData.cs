using Recsys.Data.Schemas;

namespace Recsys.Data.Records;

/// <summary>The values of one schema field for the rows of a <see cref="RecordBatch"/>.</summary>
public abstract class ColumnData
{
    private protected ColumnData(SchemaField field)
    {
        Field = field;
    }

    /// <summary>The schema field these values belong to.</summary>
    public SchemaField Field { get; }

    /// <summary>Number of values held, committed or not (equals the batch's row count between rows).</summary>
    internal abstract int Length { get; }

    /// <summary>True when the value at <paramref name="row"/> is null.</summary>
    public abstract bool IsNull(int row);

    internal abstract void AppendNull();

    /// <summary>Marks the values appended so far as part of the batch.</summary>
    internal abstract void Commit();

    /// <summary>Drops the values appended since the last <see cref="Commit"/>.</summary>
    internal abstract void Rollback();

    internal abstract void Clear();

    internal static ColumnData Create(SchemaField field, int capacity) => field.Type switch
    {
        FieldType.String => new StringColumn(field, capacity),
        FieldType.Long => new PrimitiveColumn<long>(field, capacity),
        FieldType.Int => new PrimitiveColumn<int>(field, capacity),
        FieldType.Float => new PrimitiveColumn<float>(field, capacity),
        FieldType.Double => new PrimitiveColumn<double>(field, capacity),
        FieldType.Boolean => new PrimitiveColumn<bool>(field, capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Type, "Unknown field type."),
    };
}

/// <summary>
/// String values. Values are slices of memory owned by the batch; a null (or, for a nullable field, empty) value is an
/// empty slice, as in Personalize's CSV files where an empty cell is null.
/// </summary>
public sealed class StringColumn : ColumnData
{
    private const int ChunkSize = 1 << 20;

    private readonly List<char[]> _chunks = [];
    private readonly ReadOnlyMemory<char>[] _values;
    private int _count;
    private int _committed;
    private int _chunk = -1;
    private int _position;
    private int _committedChunk = -1;
    private int _committedPosition;

    internal StringColumn(SchemaField field, int capacity)
        : base(field)
    {
        _values = new ReadOnlyMemory<char>[capacity];
    }

    /// <summary>The values of the committed rows.</summary>
    public ReadOnlySpan<ReadOnlyMemory<char>> Values => _values.AsSpan(0, _committed);

    internal ReadOnlyMemory<ReadOnlyMemory<char>> ValuesMemory => _values.AsMemory(0, _committed);

    internal override int Length => _count;

    /// <summary>The value at <paramref name="row"/> as characters (empty when null).</summary>
    public ReadOnlySpan<char> this[int row] => Values[row].Span;

    /// <summary>The value at <paramref name="row"/> as a string, or null when empty.</summary>
    public string? GetString(int row)
    {
        var value = Values[row];
        return value.IsEmpty ? null : value.ToString();
    }

    /// <inheritdoc/>
    public override bool IsNull(int row) => Values[row].IsEmpty;

    /// <summary>Copies <paramref name="value"/> into the batch's memory and appends it.</summary>
    internal void Append(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            AppendNull();
            return;
        }

        if (_chunk < 0 || _position + value.Length > _chunks[_chunk].Length)
        {
            NextChunk(value.Length);
        }

        var chunk = _chunks[_chunk];
        value.CopyTo(chunk.AsSpan(_position));
        _values[_count++] = new ReadOnlyMemory<char>(chunk, _position, value.Length);
        _position += value.Length;
    }

    /// <summary>Appends a value without copying; the caller keeps the memory alive as long as the batch.</summary>
    internal void AppendShared(ReadOnlyMemory<char> value) => _values[_count++] = value;

    internal override void AppendNull() => _values[_count++] = ReadOnlyMemory<char>.Empty;

    /// <summary>The whole value array, for bulk fills followed by <see cref="SetCount"/>.</summary>
    internal Memory<ReadOnlyMemory<char>> RawMemory => _values;

    /// <summary>Sets the row count after a bulk fill through <see cref="RawMemory"/>.</summary>
    internal void SetCount(int count)
    {
        _count = _committed = count;
        _chunk = _committedChunk = -1;
        _position = _committedPosition = 0;
    }

    internal override void Commit()
    {
        _committed = _count;
        _committedChunk = _chunk;
        _committedPosition = _position;
    }

    internal override void Rollback()
    {
        Array.Clear(_values, _committed, _count - _committed);
        _count = _committed;
        _chunk = _committedChunk;
        _position = _committedPosition;
    }

    internal override void Clear()
    {
        Array.Clear(_values, 0, _count);
        _count = _committed = 0;
        _chunk = _committedChunk = -1;
        _position = _committedPosition = 0;
    }

    private void NextChunk(int minimum)
    {
        _chunk++;
        _position = 0;
        if (_chunk < _chunks.Count && _chunks[_chunk].Length >= minimum)
        {
            return;
        }

        var chunk = new char[Math.Max(ChunkSize, minimum)];
        if (_chunk < _chunks.Count)
        {
            _chunks[_chunk] = chunk;
        }
        else
        {
            _chunks.Add(chunk);
        }
    }
}

/// <summary>Values of a numeric or boolean field.</summary>
/// <typeparam name="T"><see cref="long"/>, <see cref="int"/>, <see cref="float"/>, <see cref="double"/> or <see cref="bool"/>.</typeparam>
public sealed class PrimitiveColumn<T> : ColumnData
    where T : struct
{
    private readonly T[] _values;
    private readonly bool[]? _nulls;
    private int _count;
    private int _committed;

    internal PrimitiveColumn(SchemaField field, int capacity)
        : base(field)
    {
        _values = new T[capacity];
        _nulls = field.IsNullable ? new bool[capacity] : null;
    }

    /// <summary>The values of the committed rows (<c>default</c> where null).</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, _committed);

    internal ReadOnlyMemory<T> ValuesMemory => _values.AsMemory(0, _committed);

    /// <summary>For nullable fields, which committed rows are null; empty for non-nullable fields.</summary>
    public ReadOnlySpan<bool> Nulls => _nulls is null ? default : _nulls.AsSpan(0, _committed);

    internal override int Length => _count;

    /// <summary>The value at <paramref name="row"/>, or null.</summary>
    public T? this[int row] => IsNull(row) ? null : Values[row];

    /// <inheritdoc/>
    public override bool IsNull(int row) => _nulls is not null && Nulls[row];

    internal void AppendValue(T? value)
    {
        if (value is { } v)
        {
            Append(v);
        }
        else
        {
            AppendNull();
        }
    }

    internal void Append(T value)
    {
        _values[_count] = value;
        if (_nulls is not null)
        {
            _nulls[_count] = false;
        }

        _count++;
    }

    internal override void AppendNull()
    {
        if (_nulls is null)
        {
            throw new InvalidOperationException($"Field {Field.Name} is not nullable.");
        }

        _values[_count] = default;
        _nulls[_count] = true;
        _count++;
    }

    internal override void Commit() => _committed = _count;

    internal override void Rollback() => _count = _committed;

    internal override void Clear() => _count = _committed = 0;

    /// <summary>The whole value array, for bulk fills followed by <see cref="SetCount"/>.</summary>
    internal Memory<T> RawMemory => _values;

    /// <summary>The whole null-flag array (empty for non-nullable fields), for bulk fills.</summary>
    internal Span<bool> RawNulls => _nulls;

    /// <summary>Sets the row count after a bulk fill through <see cref="RawMemory"/> and <see cref="RawNulls"/>.</summary>
    internal void SetCount(int count) => _count = _committed = count;
}
