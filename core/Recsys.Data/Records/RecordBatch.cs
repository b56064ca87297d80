using Recsys.Data.Schemas;

namespace Recsys.Data.Records;

/// <summary>
/// A block of rows of one dataset, held column by column (one <see cref="ColumnData"/> per schema field, in schema
/// order). Batches are reused: one handed to an <see cref="Import.IRecordBatchSink"/> or yielded by
/// <see cref="Segments.ParquetSegmentReader"/> is only valid until the call returns or the next batch is read.
/// </summary>
public sealed class RecordBatch
{
    private readonly ColumnData[] _columns;

    /// <summary>Creates an empty batch for <paramref name="schema"/> that holds up to <paramref name="capacity"/> rows.</summary>
    public RecordBatch(DatasetSchema schema, int capacity)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Schema = schema;
        Capacity = capacity;
        _columns = schema.Fields.Select(f => ColumnData.Create(f, capacity)).ToArray();
    }

    /// <summary>The schema of the rows.</summary>
    public DatasetSchema Schema { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Maximum number of rows.</summary>
    public int Capacity { get; }

    /// <summary>True when no more rows fit.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>The columns, indexed by <see cref="SchemaField.Ordinal"/>.</summary>
    public IReadOnlyList<ColumnData> Columns => _columns;

    /// <summary>The string column of the named field.</summary>
    /// <exception cref="KeyNotFoundException">The schema has no such field.</exception>
    /// <exception cref="InvalidCastException">The field is not a string.</exception>
    public StringColumn GetStringColumn(string fieldName) => (StringColumn)Column(fieldName);

    /// <summary>The numeric or boolean column of the named field.</summary>
    /// <exception cref="KeyNotFoundException">The schema has no such field.</exception>
    /// <exception cref="InvalidCastException">The field has another type.</exception>
    public PrimitiveColumn<T> GetColumn<T>(string fieldName)
        where T : struct => (PrimitiveColumn<T>)Column(fieldName);

    /// <summary>The string column of the named field, or null when the schema has no such field.</summary>
    public StringColumn? FindStringColumn(string fieldName)
        => Schema.TryGetField(fieldName, out var field) ? _columns[field.Ordinal] as StringColumn : null;

    /// <summary>The column of the named field, or null when the schema has no such field.</summary>
    public PrimitiveColumn<T>? FindColumn<T>(string fieldName)
        where T : struct => Schema.TryGetField(fieldName, out var field) ? _columns[field.Ordinal] as PrimitiveColumn<T> : null;

    /// <summary>Removes all rows, keeping the memory for reuse.</summary>
    public void Clear()
    {
        foreach (var column in _columns)
        {
            column.Clear();
        }

        Count = 0;
    }

    /// <summary>Keeps the values appended to every column since the last commit as one more row.</summary>
    internal void CommitRow()
    {
        foreach (var column in _columns)
        {
            column.Commit();
        }

        Count++;
    }

    /// <summary>Drops a partly appended row.</summary>
    internal void RollbackRow()
    {
        foreach (var column in _columns)
        {
            column.Rollback();
        }
    }

    /// <summary>Sets the row count after columns were filled in bulk (all columns must hold <paramref name="count"/> values).</summary>
    internal void SetCount(int count) => Count = count;

    private ColumnData Column(string fieldName)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        return Schema.TryGetField(fieldName, out var field)
            ? _columns[field.Ordinal]
            : throw new KeyNotFoundException($"The schema has no field '{fieldName}'.");
    }
}
