using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Core.Filters;

/// <summary>
/// Builds an in-memory <see cref="IAttributeIndex"/> from the rows of an Items (or Users) dataset, e.g. the
/// <see cref="RecordBatch"/>es that <see cref="Data.Segments.ParquetSegmentReader"/> reads from the dataset's segments.
/// Rows for an identifier seen before replace its earlier values (later segments win, as incremental imports and
/// PutItems updates do). String fields become <see cref="CategoricalField"/>s (categorical ones split on
/// <c>|</c>), numeric fields <see cref="NumericField"/>s; textual and boolean fields, which filters cannot use,
/// are left out.
/// </summary>
public sealed class AttributeIndexBuilder
{
    private readonly string _idField;
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string[]?>> _strings = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<double?>> _numbers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a builder.</summary>
    /// <param name="idField">The identifier field: <c>ITEM_ID</c> for items, <c>USER_ID</c> for users.</param>
    /// <param name="knownIds">
    /// Identifiers that take rows <c>0 .. n-1</c> in this order (the model's item index, so that filters run on the
    /// model's candidate indexes); identifiers met later in the data get the following rows.
    /// </param>
    public AttributeIndexBuilder(string idField, IEnumerable<string>? knownIds = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(idField);
        _idField = idField;
        foreach (var id in knownIds ?? [])
        {
            _rows.TryAdd(id, _rows.Count);
        }
    }

    /// <summary>Adds the rows of <paramref name="batch"/>.</summary>
    /// <exception cref="ArgumentException">The batch has no string identifier field.</exception>
    public void Add(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = batch.FindStringColumn(_idField)
            ?? throw new ArgumentException($"The batch has no string field {_idField}.", nameof(batch));
        var columns = new List<(ColumnData Column, List<string[]?>? Strings, List<double?>? Numbers)>();
        foreach (var field in batch.Schema.Fields)
        {
            if (string.Equals(field.Name, _idField, StringComparison.OrdinalIgnoreCase) || field.IsTextual || field.Type == FieldType.Boolean)
            {
                continue;
            }

            var column = batch.Columns[field.Ordinal];
            if (field.Type == FieldType.String)
            {
                columns.Add((column, Values(_strings, field.Name), null));
            }
            else
            {
                columns.Add((column, null, Values(_numbers, field.Name)));
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var id = ids.GetString(i);
            if (id is null)
            {
                continue;
            }

            if (!_rows.TryGetValue(id, out var row))
            {
                row = _rows.Count;
                _rows.Add(id, row);
            }

            foreach (var (column, strings, numbers) in columns)
            {
                if (strings is not null)
                {
                    Grow(strings, row);
                    var text = ((StringColumn)column).GetString(i);
                    strings[row] = text is null ? null : column.Field.IsCategorical ? text.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [text];
                }
                else
                {
                    Grow(numbers!, row);
                    numbers![row] = ReadNumber(column, i);
                }
            }
        }
    }

    /// <summary>
    /// Adds (or replaces) one record sent with PutItems / PutUsers: <paramref name="fields"/> by schema field name,
    /// strings for string fields (categorical ones <c>|</c>-separated), numbers for numeric ones.
    /// </summary>
    public void Add(string id, IReadOnlyDictionary<string, object?> fields, DatasetSchema schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(schema);
        if (!_rows.TryGetValue(id, out var row))
        {
            row = _rows.Count;
            _rows.Add(id, row);
        }

        foreach (var field in schema.Fields)
        {
            if (string.Equals(field.Name, _idField, StringComparison.OrdinalIgnoreCase) || field.IsTextual || field.Type == FieldType.Boolean)
            {
                continue;
            }

            fields.TryGetValue(field.Name, out var value);
            if (field.Type == FieldType.String)
            {
                var strings = Values(_strings, field.Name);
                Grow(strings, row);
                var text = value?.ToString();
                strings[row] = text is null ? null : field.IsCategorical ? text.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [text];
            }
            else
            {
                var numbers = Values(_numbers, field.Name);
                Grow(numbers, row);
                numbers[row] = value is null ? null : Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Builds the index; the builder can go on receiving rows for a later build.</summary>
    public InMemoryAttributeIndex Build()
    {
        var count = _rows.Count;
        var categorical = new Dictionary<string, CategoricalField>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in _strings)
        {
            var rows = new IReadOnlyCollection<string>?[count];
            for (var i = 0; i < values.Count; i++)
            {
                rows[i] = values[i];
            }

            categorical[name] = new CategoricalField(rows);
        }

        var numeric = new Dictionary<string, NumericField>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in _numbers)
        {
            var data = new double[count];
            var missing = new bool[count];
            for (var i = 0; i < count; i++)
            {
                var value = i < values.Count ? values[i] : null;
                data[i] = value ?? 0;
                missing[i] = value is null;
            }

            numeric[name] = new NumericField(data, missing);
        }

        return new InMemoryAttributeIndex(new Dictionary<string, int>(_rows, StringComparer.Ordinal), categorical, numeric);
    }

    private static List<T> Values<T>(Dictionary<string, List<T>> byField, string field)
    {
        if (!byField.TryGetValue(field, out var values))
        {
            values = [];
            byField.Add(field, values);
        }

        return values;
    }

    private static void Grow<T>(List<T?> values, int row)
    {
        while (values.Count <= row)
        {
            values.Add(default);
        }
    }

    private static double? ReadNumber(ColumnData column, int row) => column switch
    {
        PrimitiveColumn<long> c => c[row],
        PrimitiveColumn<int> c => c[row],
        PrimitiveColumn<float> c => c[row],
        PrimitiveColumn<double> c => c[row],
        _ => null,
    };
}

/// <summary>An <see cref="IAttributeIndex"/> held in memory, built by <see cref="AttributeIndexBuilder"/>.</summary>
public sealed class InMemoryAttributeIndex : IAttributeIndex
{
    private readonly Dictionary<string, int> _rows;
    private string[]? _ids;
    private readonly Dictionary<string, CategoricalField> _categorical;
    private readonly Dictionary<string, NumericField> _numeric;

    internal InMemoryAttributeIndex(
        Dictionary<string, int> rows, Dictionary<string, CategoricalField> categorical, Dictionary<string, NumericField> numeric)
    {
        _rows = rows;
        _categorical = categorical;
        _numeric = numeric;
    }

    /// <inheritdoc/>
    public int Count => _rows.Count;

    /// <summary>The fields held, string and numeric.</summary>
    public IEnumerable<string> Fields => _categorical.Keys.Concat(_numeric.Keys);

    /// <inheritdoc/>
    public bool TryGetIndex(string id, out int index) => _rows.TryGetValue(id, out index);

    /// <summary>The identifier of a row (the inverse of <see cref="TryGetIndex"/>), built on first use.</summary>
    public string IdAt(int row)
    {
        if (_ids is null)
        {
            var ids = new string[_rows.Count];
            foreach (var (id, index) in _rows)
            {
                ids[index] = id;
            }

            _ids = ids;
        }

        return _ids[row];
    }

    /// <inheritdoc/>
    public CategoricalField? FindCategorical(string field) => _categorical.GetValueOrDefault(field);

    /// <inheritdoc/>
    public NumericField? FindNumeric(string field) => _numeric.GetValueOrDefault(field);
}
