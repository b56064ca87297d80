using System.Globalization;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Data.Import;

/// <summary>
/// Validates the cells of one CSV row against the schema and appends them to a <see cref="RecordBatch"/>. The CSV
/// parser calls <see cref="Append"/> for each mapped cell, then <see cref="EndRow"/>; a cell that fails validation
/// drops the whole row.
/// </summary>
internal sealed class RowValidator
{
    /// <summary>Epoch seconds this large are past the year 5000: the value is almost surely in milliseconds.</summary>
    private const long MillisecondsThreshold = 100_000_000_000;

    private readonly CellRule[] _rules;
    private readonly int[] _unmappedNullable;
    private RecordBatch _batch;

    /// <param name="batch">The batch to append to.</param>
    /// <param name="columnFields">For each CSV column, the schema field it maps to, or null to skip the column.</param>
    public RowValidator(RecordBatch batch, IReadOnlyList<SchemaField?> columnFields)
    {
        _batch = batch;
        var schema = batch.Schema;
        _rules = columnFields.Select(f => f is null ? CellRule.Skip : CellRule.For(schema.DatasetType, f)).ToArray();
        var mapped = columnFields.Where(f => f is not null).Select(f => f!.Ordinal).ToHashSet();
        _unmappedNullable = schema.Fields.Where(f => !mapped.Contains(f.Ordinal)).Select(f => f.Ordinal).ToArray();
    }

    public long ValuesTruncated { get; private set; }

    public RecordBatch Batch
    {
        get => _batch;
        set => _batch = value;
    }

    public int ColumnCount => _rules.Length;

    /// <summary>Validates and appends one cell; returns null when valid, else why not.</summary>
    public string? Append(int column, ReadOnlySpan<char> cell)
    {
        var rule = _rules[column];
        if (rule.Kind == CellKind.Skip)
        {
            return null;
        }

        var data = _batch.Columns[rule.Ordinal];
        if (cell.IsEmpty)
        {
            if (!rule.Nullable)
            {
                return $"{rule.Name} is empty but required.";
            }

            data.AppendNull();
            return null;
        }

        switch (rule.Kind)
        {
            case CellKind.Id:
                if (RecordIds.Problem(rule.Name, cell) is { } problem)
                {
                    return problem;
                }

                ((StringColumn)data).Append(cell);
                return null;

            case CellKind.String:
                if (cell.Length > rule.MaxLength)
                {
                    return $"{rule.Name} is {cell.Length:N0} characters long; the limit is {rule.MaxLength:N0}" +
                        (rule.Categorical ? " for a categorical value." : ".");
                }

                ((StringColumn)data).Append(cell);
                return null;

            case CellKind.Textual:
                if (cell.Length > rule.MaxLength)
                {
                    cell = cell[..rule.MaxLength];
                    ValuesTruncated++;
                }

                ((StringColumn)data).Append(cell);
                return null;

            case CellKind.Timestamp:
                return AppendTimestamp(rule, (PrimitiveColumn<long>)data, cell);

            case CellKind.Long:
                if (!long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var longValue))
                {
                    return $"{rule.Name} must be a whole number (long), got '{Shorten(cell)}'.";
                }

                ((PrimitiveColumn<long>)data).Append(longValue);
                return null;

            case CellKind.Int:
                if (!int.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var intValue))
                {
                    return $"{rule.Name} must be a whole number (int), got '{Shorten(cell)}'.";
                }

                ((PrimitiveColumn<int>)data).Append(intValue);
                return null;

            case CellKind.Float:
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var floatValue) || !float.IsFinite(floatValue))
                {
                    return $"{rule.Name} must be a finite number (float), got '{Shorten(cell)}'.";
                }

                ((PrimitiveColumn<float>)data).Append(floatValue);
                return null;

            case CellKind.Double:
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var doubleValue) || !double.IsFinite(doubleValue))
                {
                    return $"{rule.Name} must be a finite number (double), got '{Shorten(cell)}'.";
                }

                ((PrimitiveColumn<double>)data).Append(doubleValue);
                return null;

            case CellKind.Boolean:
                if (cell.SequenceEqual("true"))
                {
                    ((PrimitiveColumn<bool>)data).Append(true);
                    return null;
                }

                if (cell.SequenceEqual("false"))
                {
                    ((PrimitiveColumn<bool>)data).Append(false);
                    return null;
                }

                return $"{rule.Name} must be lower-case true or false, got '{Shorten(cell)}'.";

            default:
                throw new InvalidOperationException($"Unknown cell kind {rule.Kind}.");
        }
    }

    /// <summary>Finishes the row: commits it when every cell was valid, otherwise drops what was appended.</summary>
    public void EndRow(bool accepted)
    {
        if (!accepted)
        {
            _batch.RollbackRow();
            return;
        }

        foreach (var ordinal in _unmappedNullable)
        {
            _batch.Columns[ordinal].AppendNull();
        }

        _batch.CommitRow();
    }

    private static string? AppendTimestamp(in CellRule rule, PrimitiveColumn<long> data, ReadOnlySpan<char> cell)
    {
        if (!long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                return $"{rule.Name} must be a whole number of Unix epoch seconds, got '{Shorten(cell)}'" +
                    (Math.Abs(number) >= MillisecondsThreshold ? " (it looks like milliseconds; divide by 1000)." : ".");
            }

            return $"{rule.Name} must be Unix epoch seconds (a whole number), got '{Shorten(cell)}'" +
                (LooksLikeDate(cell) ? " (it looks like a date; convert it to epoch seconds)." : ".");
        }

        if (seconds >= MillisecondsThreshold)
        {
            return $"{rule.Name} {seconds} looks like milliseconds (or finer); Personalize timestamps are Unix epoch seconds, e.g. {seconds / 1000}.";
        }

        if (seconds < 0)
        {
            return $"{rule.Name} must not be negative, got {seconds}.";
        }

        data.Append(seconds);
        return null;
    }

    private static bool LooksLikeDate(ReadOnlySpan<char> cell) => cell.Length >= 8 && (cell.Contains('-') || cell.Contains('/') || cell.Contains(':'));

    private static string Shorten(ReadOnlySpan<char> cell) => cell.Length <= 40 ? cell.ToString() : string.Concat(cell[..40], "…");

    private enum CellKind
    {
        Skip,
        Id,
        String,
        Textual,
        Timestamp,
        Long,
        Int,
        Float,
        Double,
        Boolean,
    }

    private readonly record struct CellRule(CellKind Kind, int Ordinal, string Name, bool Nullable, int MaxLength, bool Categorical)
    {
        public static readonly CellRule Skip = new(CellKind.Skip, -1, string.Empty, true, 0, false);

        public static CellRule For(DatasetType datasetType, SchemaField field)
        {
            var name = field.Name;
            var ordinal = field.Ordinal;
            return field.Type switch
            {
                FieldType.String when field.IsReserved && field.Name is ReservedFields.UserId or ReservedFields.ItemId
                    => new(CellKind.Id, ordinal, name, field.IsNullable, RecordIds.MaxLength, false),
                FieldType.String when field.IsTextual => new(CellKind.Textual, ordinal, name, field.IsNullable, PersonalizeLimits.MaxTextualValueLength, false),
                FieldType.String => new(CellKind.String, ordinal, name, field.IsNullable, StringLimit(field), field.IsCategorical),
                FieldType.Long when IsTimestamp(datasetType, field) => new(CellKind.Timestamp, ordinal, name, field.IsNullable, 0, false),
                FieldType.Long => new(CellKind.Long, ordinal, name, field.IsNullable, 0, false),
                FieldType.Int => new(CellKind.Int, ordinal, name, field.IsNullable, 0, false),
                FieldType.Float => new(CellKind.Float, ordinal, name, field.IsNullable, 0, false),
                FieldType.Double => new(CellKind.Double, ordinal, name, field.IsNullable, 0, false),
                FieldType.Boolean => new(CellKind.Boolean, ordinal, name, field.IsNullable, 0, false),
                _ => throw new InvalidOperationException($"Unknown field type {field.Type}."),
            };
        }

        private static int StringLimit(SchemaField field)
            => field.IsCategorical ? PersonalizeLimits.MaxCategoricalValueLength : PersonalizeLimits.MaxStringValueLength;

        private static bool IsTimestamp(DatasetType datasetType, SchemaField field) => field.IsReserved &&
            ((datasetType == DatasetType.Interactions && field.Name == ReservedFields.Timestamp) ||
             (datasetType == DatasetType.Items && field.Name == ReservedFields.CreationTimestamp));
    }
}
