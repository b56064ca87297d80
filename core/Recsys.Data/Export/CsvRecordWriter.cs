using System.Globalization;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Data.Export;

/// <summary>
/// Writes rows of one dataset as CSV in the format the importer reads back: a header with the schema's field names,
/// one line per row, empty cells for nulls, RFC 4180 quoting where a value needs it, numbers in the invariant
/// culture (floats round-trip), booleans as lower-case <c>true</c>/<c>false</c>.
/// </summary>
public sealed class CsvRecordWriter
{
    private readonly TextWriter _output;
    private readonly IReadOnlyList<SchemaField> _fields;

    /// <summary>Starts a CSV on <paramref name="output"/> and writes the header.</summary>
    public CsvRecordWriter(TextWriter output, DatasetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _output = output;
        _fields = schema.Fields;
        output.Write(string.Join(',', _fields.Select(f => Quote(f.Name))));
        output.Write('\n');
    }

    /// <summary>Rows written so far (the header not counted).</summary>
    public long Rows { get; private set; }

    /// <summary>Writes row <paramref name="row"/> of <paramref name="batch"/>, matching columns by field name.</summary>
    public void WriteRow(RecordBatch batch, int row)
    {
        ArgumentNullException.ThrowIfNull(batch);
        WriteRow(field => batch.Schema.TryGetField(field.Name, out var source) ? Value(batch.Columns[source.Ordinal], row) : null);
    }

    /// <summary>Writes one row from a value per field (null for an empty cell).</summary>
    public void WriteRow(Func<SchemaField, object?> valueOf)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        for (var i = 0; i < _fields.Count; i++)
        {
            if (i > 0)
            {
                _output.Write(',');
            }

            var value = valueOf(_fields[i]);
            _output.Write(value switch
            {
                null => string.Empty,
                string s => Quote(s),
                bool b => b ? "true" : "false",
                float f => f.ToString("R", CultureInfo.InvariantCulture),
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => Quote(value.ToString() ?? string.Empty),
            });
        }

        _output.Write('\n');
        Rows++;
    }

    /// <summary>The value of a cell: a string, long, int, float, double or bool, or null.</summary>
    public static object? Value(ColumnData column, int row)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column switch
        {
            StringColumn strings => strings.GetString(row),
            PrimitiveColumn<long> longs => longs[row],
            PrimitiveColumn<int> ints => ints[row],
            PrimitiveColumn<float> floats => floats[row],
            PrimitiveColumn<double> doubles => doubles[row],
            PrimitiveColumn<bool> booleans => booleans[row],
            _ => throw new NotSupportedException($"Column type {column.GetType().Name} is not supported."),
        };
    }

    private static string Quote(string value)
        => value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
