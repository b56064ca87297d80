using Parquet;
using Parquet.Schema;
using Recsys.Data.Import;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Data.Segments;

/// <summary>
/// Writes record batches as one immutable Parquet segment: one row group per batch, one column per schema field
/// (strings dictionary-encoded, integers delta-encoded, Snappy-compressed), with the dataset schema in the file's
/// metadata so that <see cref="ParquetSegmentReader"/> can read it back alone. The output stream is written forward
/// only, so a blob upload stream works.
/// </summary>
public sealed class ParquetSegmentWriter : IRecordBatchSink, IAsyncDisposable
{
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly Dictionary<int, Array> _nullableScratch = [];
    private bool _completed;

    private ParquetSegmentWriter(DatasetSchema schema, ParquetWriter writer, DataField[] fields)
    {
        Schema = schema;
        _writer = writer;
        _fields = fields;
    }

    /// <summary>The schema of the rows written.</summary>
    public DatasetSchema Schema { get; }

    /// <summary>Rows written so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Row groups written so far (one per non-empty batch).</summary>
    public int RowGroupCount { get; private set; }

    /// <summary>Starts a segment on <paramref name="output"/>, which stays open after <see cref="CompleteAsync"/>.</summary>
    public static async Task<ParquetSegmentWriter> CreateAsync(DatasetSchema schema, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(output);
        var parquetSchema = SegmentFormat.ToParquet(schema);
        var writer = await ParquetWriter.CreateAsync(parquetSchema, output, SegmentFormat.Options(schema), append: false, cancellationToken);
        writer.CustomMetadata = new Dictionary<string, string>
        {
            [SegmentFormat.SchemaKey] = schema.ToJson(),
            [SegmentFormat.DatasetTypeKey] = schema.DatasetType.ToString(),
            [SegmentFormat.FormatVersionKey] = SegmentFormat.FormatVersion,
        };
        return new ParquetSegmentWriter(schema, writer, parquetSchema.GetDataFields());
    }

    /// <summary>Writes <paramref name="batch"/> as one row group.</summary>
    public async ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_completed, this);
        if (batch.Count == 0)
        {
            return;
        }

        if (batch.Schema.Fields.Count != _fields.Length)
        {
            throw new ArgumentException("The batch's schema differs from the segment's.", nameof(batch));
        }

        using var rowGroup = _writer.CreateRowGroup();
        for (var i = 0; i < _fields.Length; i++)
        {
            var field = _fields[i];
            switch (batch.Columns[i])
            {
                case StringColumn strings:
                    await rowGroup.WriteAsync<ReadOnlyMemory<char>>(field, strings.ValuesMemory, cancellationToken: cancellationToken);
                    break;
                case PrimitiveColumn<long> longs:
                    await WritePrimitiveAsync(rowGroup, field, i, longs, cancellationToken);
                    break;
                case PrimitiveColumn<int> ints:
                    await WritePrimitiveAsync(rowGroup, field, i, ints, cancellationToken);
                    break;
                case PrimitiveColumn<float> floats:
                    await WritePrimitiveAsync(rowGroup, field, i, floats, cancellationToken);
                    break;
                case PrimitiveColumn<double> doubles:
                    await WritePrimitiveAsync(rowGroup, field, i, doubles, cancellationToken);
                    break;
                case PrimitiveColumn<bool> booleans:
                    await WritePrimitiveAsync(rowGroup, field, i, booleans, cancellationToken);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected column type for {field.Name}.");
            }
        }

        rowGroup.CompleteValidate();
        RowCount += batch.Count;
        RowGroupCount++;
    }

    /// <summary>Writes the Parquet footer. No batches can be written afterwards.</summary>
    public async ValueTask CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        await _writer.DisposeAsync();
    }

    /// <summary>Completes the segment if that has not been done.</summary>
    public ValueTask DisposeAsync() => CompleteAsync();

    private async ValueTask WritePrimitiveAsync<T>(ParquetRowGroupWriter rowGroup, DataField field, int ordinal, PrimitiveColumn<T> column, CancellationToken cancellationToken)
        where T : struct
    {
        if (!column.Field.IsNullable)
        {
            await rowGroup.WriteAsync(field, column.ValuesMemory, cancellationToken: cancellationToken);
            return;
        }

        var count = column.Values.Length;
        if (!_nullableScratch.TryGetValue(ordinal, out var array) || array.Length < count)
        {
            array = new T?[count];
            _nullableScratch[ordinal] = array;
        }

        var scratch = (T?[])array;
        var values = column.Values;
        var nulls = column.Nulls;
        for (var row = 0; row < count; row++)
        {
            scratch[row] = nulls[row] ? null : values[row];
        }

        await rowGroup.WriteAsync(field, new ReadOnlyMemory<T?>(scratch, 0, count), cancellationToken: cancellationToken);
    }
}
