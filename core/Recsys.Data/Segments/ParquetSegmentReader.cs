using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Data.Segments;

/// <summary>Streams the rows of a segment written by <see cref="ParquetSegmentWriter"/>, one row group at a time.</summary>
public sealed class ParquetSegmentReader : IAsyncDisposable
{
    private readonly ParquetReader _reader;
    private readonly DataField[] _fields;

    private ParquetSegmentReader(DatasetSchema schema, ParquetReader reader, DataField[] fields)
    {
        Schema = schema;
        _reader = reader;
        _fields = fields;
        RowCount = reader.RowGroups.Sum(g => g.RowCount);
    }

    /// <summary>The dataset schema stored in the segment.</summary>
    public DatasetSchema Schema { get; }

    /// <summary>Total rows in the segment.</summary>
    public long RowCount { get; }

    /// <summary>Number of row groups (batches) in the segment.</summary>
    public int RowGroupCount => _reader.RowGroupCount;

    /// <summary>Opens a segment. The stream must be readable and seekable (a blob read stream is); it is left open.</summary>
    /// <exception cref="InvalidDataException">The stream is not a Recsys segment.</exception>
    public static async Task<ParquetSegmentReader> OpenAsync(Stream segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var reader = await ParquetReader.CreateAsync(segment, parquetOptions: null, leaveStreamOpen: true, cancellationToken);
        try
        {
            var metadata = reader.CustomMetadata;
            if (!metadata.TryGetValue(SegmentFormat.SchemaKey, out var json) ||
                !metadata.TryGetValue(SegmentFormat.DatasetTypeKey, out var typeName) ||
                !Enum.TryParse<DatasetType>(typeName, out var datasetType))
            {
                throw new InvalidDataException("The Parquet file is not a Recsys segment: its dataset schema is missing.");
            }

            var schema = DatasetSchema.Parse(json, datasetType);
            var byName = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
            var fields = schema.Fields
                .Select(f => byName.GetValueOrDefault(f.Name) ?? throw new InvalidDataException($"The segment has no column for field {f.Name}."))
                .ToArray();
            return new ParquetSegmentReader(schema, reader, fields);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads the row groups in order. The same <see cref="RecordBatch"/> instance is refilled for each row group, so
    /// use a batch before moving to the next.
    /// </summary>
    /// <param name="fields">
    /// The fields to read (ignoring case), or null for all. Columns not read hold nulls (empty strings, default
    /// numbers), which makes loading a few columns of a wide segment cheap.
    /// </param>
    /// <param name="cancellationToken">Stops reading.</param>
    public async IAsyncEnumerable<RecordBatch> ReadBatchesAsync(
        IReadOnlyCollection<string>? fields = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var wanted = fields is null ? null : new HashSet<string>(fields, StringComparer.OrdinalIgnoreCase);
        RecordBatch? batch = null;
        Array?[] scratch = new Array?[_fields.Length];
        for (var group = 0; group < _reader.RowGroupCount; group++)
        {
            var rowGroup = _reader.OpenRowGroupReader(group);
            var count = checked((int)rowGroup.RowCount);
            if (batch is null || batch.Capacity < count)
            {
                batch = new RecordBatch(Schema, Math.Max(count, 1));
            }

            batch.Clear();
            for (var i = 0; i < _fields.Length; i++)
            {
                var column = batch.Columns[i];
                var read = wanted is null || wanted.Contains(column.Field.Name);
                switch (column)
                {
                    case StringColumn strings:
                        if (read)
                        {
                            await rowGroup.ReadAsync<ReadOnlyMemory<char>>(_fields[i], strings.RawMemory[..count], cancellationToken: cancellationToken);
                        }
                        else
                        {
                            strings.RawMemory.Span[..count].Clear();
                        }

                        strings.SetCount(count);
                        break;
                    case PrimitiveColumn<long> longs:
                        await ReadPrimitiveAsync(rowGroup, _fields[i], longs, count, read, scratch, i, cancellationToken);
                        break;
                    case PrimitiveColumn<int> ints:
                        await ReadPrimitiveAsync(rowGroup, _fields[i], ints, count, read, scratch, i, cancellationToken);
                        break;
                    case PrimitiveColumn<float> floats:
                        await ReadPrimitiveAsync(rowGroup, _fields[i], floats, count, read, scratch, i, cancellationToken);
                        break;
                    case PrimitiveColumn<double> doubles:
                        await ReadPrimitiveAsync(rowGroup, _fields[i], doubles, count, read, scratch, i, cancellationToken);
                        break;
                    case PrimitiveColumn<bool> booleans:
                        await ReadPrimitiveAsync(rowGroup, _fields[i], booleans, count, read, scratch, i, cancellationToken);
                        break;
                }
            }

            batch.SetCount(count);
            yield return batch;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _reader.DisposeAsync();

    private static async ValueTask ReadPrimitiveAsync<T>(
        ParquetRowGroupReader rowGroup,
        DataField field,
        PrimitiveColumn<T> column,
        int count,
        bool read,
        Array?[] scratch,
        int ordinal,
        CancellationToken cancellationToken)
        where T : struct
    {
        if (!read)
        {
            // Columns not read hold nulls, or defaults when the field is not nullable.
            column.RawMemory.Span[..count].Clear();
            column.RawNulls[..Math.Min(count, column.RawNulls.Length)].Fill(true);
        }
        else if (!column.Field.IsNullable)
        {
            await rowGroup.ReadAsync(field, column.RawMemory[..count], cancellationToken: cancellationToken);
        }
        else
        {
            if (scratch[ordinal] is not T?[] values || values.Length < count)
            {
                values = new T?[count];
                scratch[ordinal] = values;
            }

            await rowGroup.ReadAsync(field, values.AsMemory(0, count), cancellationToken: cancellationToken);
            var target = column.RawMemory.Span;
            var nulls = column.RawNulls;
            for (var row = 0; row < count; row++)
            {
                var value = values[row];
                nulls[row] = !value.HasValue;
                target[row] = value.GetValueOrDefault();
            }
        }

        column.SetCount(count);
    }
}
