using System.Diagnostics.CodeAnalysis;
using Recsys.Data.Schemas;

namespace Recsys.Data.Import;

/// <summary>Maps the CSV header to schema fields: explicit mapping first, then name ignoring case, then name ignoring case and '_'.</summary>
internal static class CsvHeaderMap
{
    /// <summary>Maps each header to a field (null for a skipped column), or explains why the header cannot be used.</summary>
    public static bool TryMap(
        IReadOnlyList<string> headers,
        DatasetSchema schema,
        CsvImportOptions options,
        out SchemaField?[] fields,
        [NotNullWhen(false)] out string? failure)
    {
        fields = new SchemaField?[headers.Count];
        var problems = new List<string>();
        var mapping = options.ColumnMapping is null
            ? null
            : new Dictionary<string, string>(options.ColumnMapping, StringComparer.OrdinalIgnoreCase);
        var byNormalizedName = schema.Fields.ToDictionary(f => SchemaParser.Normalize(f.Name), StringComparer.Ordinal);
        var firstColumnOfField = new Dictionary<int, int>();
        var unknown = new List<string>();

        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (header.Length == 0)
            {
                problems.Add($"Column {i + 1} has an empty header.");
                continue;
            }

            SchemaField? field;
            if (mapping is not null && mapping.TryGetValue(header, out var target))
            {
                if (!schema.TryGetField(target, out field))
                {
                    problems.Add($"The column mapping sends '{header}' to '{target}', which is not a field of the schema.");
                    continue;
                }
            }
            else if (!schema.TryGetField(header, out field) && !byNormalizedName.TryGetValue(SchemaParser.Normalize(header), out field))
            {
                if (!options.IgnoreUnknownColumns)
                {
                    unknown.Add(header);
                }

                continue;
            }

            if (firstColumnOfField.TryGetValue(field.Ordinal, out var first))
            {
                problems.Add(string.Equals(headers[first], header, StringComparison.OrdinalIgnoreCase)
                    ? $"Duplicate header '{header}' (columns {first + 1} and {i + 1})."
                    : $"Columns '{headers[first]}' ({first + 1}) and '{header}' ({i + 1}) both map to field {field.Name}.");
                continue;
            }

            firstColumnOfField[field.Ordinal] = i;
            fields[i] = field;
        }

        if (unknown.Count > 0)
        {
            problems.Add($"Column{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(u => $"'{u}'"))} match no field of the schema " +
                $"({string.Join(", ", schema.Fields.Select(f => f.Name))}); map them with a column mapping or ignore unknown columns.");
        }

        var missing = schema.Fields.Where(f => !f.IsNullable && !firstColumnOfField.ContainsKey(f.Ordinal)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"Missing required column{(missing.Count > 1 ? "s" : string.Empty)} {string.Join(", ", missing)}.");
        }

        failure = problems.Count == 0 ? null : string.Join(" ", problems);
        return failure is null;
    }
}
