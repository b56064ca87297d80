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

    /// <summary>Appends a copy of row <paramref name="row"/> of <paramref name="source"/>, a batch of the same schema.</summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public void AppendRow(RecordBatch source, int row)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureRoom();
        for (var i = 0; i < _columns.Length; i++)
        {
            switch (_columns[i])
            {
                case StringColumn strings:
                    var text = (StringColumn)source._columns[i];
                    if (text.IsNull(row))
                    {
                        strings.AppendNull();
                    }
                    else
                    {
                        strings.Append(text[row]);
                    }

                    break;
                case PrimitiveColumn<long> longs:
                    longs.AppendValue(((PrimitiveColumn<long>)source._columns[i])[row]);
                    break;
                case PrimitiveColumn<int> ints:
                    ints.AppendValue(((PrimitiveColumn<int>)source._columns[i])[row]);
                    break;
                case PrimitiveColumn<float> floats:
                    floats.AppendValue(((PrimitiveColumn<float>)source._columns[i])[row]);
                    break;
                case PrimitiveColumn<double> doubles:
                    doubles.AppendValue(((PrimitiveColumn<double>)source._columns[i])[row]);
                    break;
                case PrimitiveColumn<bool> booleans:
                    booleans.AppendValue(((PrimitiveColumn<bool>)source._columns[i])[row]);
                    break;
                default:
                    throw new NotSupportedException($"Column type {_columns[i].GetType().Name} is not supported.");
            }
        }

        CommitRow();
    }

    /// <summary>
    /// Appends one row from a value per field (null for none): the text of string fields, and for the others a number
    /// or boolean of any CLR type convertible to the field's (values are converted with the invariant culture).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public void AppendRow(Func<SchemaField, object?> valueOf)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        EnsureRoom();
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        for (var i = 0; i < _columns.Length; i++)
        {
            var value = valueOf(_columns[i].Field);
            switch (_columns[i])
            {
                case StringColumn strings:
                    var text = value is null ? null : Convert.ToString(value, culture);
                    if (string.IsNullOrEmpty(text))
                    {
                        strings.AppendNull();
                    }
                    else
                    {
                        strings.Append(text);
                    }

                    break;
                case PrimitiveColumn<long> longs:
                    longs.AppendValue(value is null ? null : Convert.ToInt64(value, culture));
                    break;
                case PrimitiveColumn<int> ints:
                    ints.AppendValue(value is null ? null : Convert.ToInt32(value, culture));
                    break;
                case PrimitiveColumn<float> floats:
                    floats.AppendValue(value is null ? null : Convert.ToSingle(value, culture));
                    break;
                case PrimitiveColumn<double> doubles:
                    doubles.AppendValue(value is null ? null : Convert.ToDouble(value, culture));
                    break;
                case PrimitiveColumn<bool> booleans:
                    booleans.AppendValue(value is null ? null : Convert.ToBoolean(value, culture));
                    break;
                default:
                    throw new NotSupportedException($"Column type {_columns[i].GetType().Name} is not supported.");
            }
        }

        CommitRow();
    }

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

    private void EnsureRoom()
    {
        if (IsFull)
        {
            throw new InvalidOperationException($"The batch is full ({Capacity} rows).");
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
