using System.Globalization;
using System.Text.Json;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Schemas;
using Recsys.Data;
using Recsys.Data.Schemas;

namespace Recsys.Core.Events;

/// <summary>
/// PutItems and PutUsers: 1–10 records whose <c>properties</c> (a JSON string) are checked against the dataset's schema,
/// then upserted by id. Property names are the camelCase of the schema's field names (<c>CATEGORY_L1</c> is sent as
/// <c>categoryL1</c>), matched as Personalize tells field names apart: ignoring case and '_'.
/// </summary>
public sealed class IndividualRecordService(DatasetService datasets, SchemaService schemas, IDatasetRecordStore records, TimeProvider timeProvider)
{
    /// <summary>Most records in one call.</summary>
    public const int MaxRecords = 10;

    /// <summary>Longest <c>properties</c> of an item.</summary>
    public const int MaxItemPropertiesLength = 32_000;

    /// <summary>Longest <c>properties</c> of a user.</summary>
    public const int MaxUserPropertiesLength = 24_000;

    /// <summary>Validates and stores a PutItems body; returns the records stored.</summary>
    public Task<IReadOnlyList<DatasetRecord>> PutItemsAsync(JsonElement body, CancellationToken cancellationToken = default)
        => PutAsync(body, DatasetType.Items, "items", "itemId", MaxItemPropertiesLength, cancellationToken);

    /// <summary>Validates and stores a PutUsers body; returns the records stored.</summary>
    public Task<IReadOnlyList<DatasetRecord>> PutUsersAsync(JsonElement body, CancellationToken cancellationToken = default)
        => PutAsync(body, DatasetType.Users, "users", "userId", MaxUserPropertiesLength, cancellationToken);

    /// <summary>The camelCase property name of a schema field, as PutItems and PutUsers send it (<c>CATEGORY_L1</c> → <c>categoryL1</c>).</summary>
    public static string PropertyName(string fieldName)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        var parts = fieldName.Split('_', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return fieldName;
        }

        var builder = new System.Text.StringBuilder(fieldName.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].ToLowerInvariant();
            builder.Append(i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]);
        }

        return builder.ToString();
    }

    private async Task<IReadOnlyList<DatasetRecord>> PutAsync(
        JsonElement body, DatasetType type, string listName, string idName, int maxPropertiesLength, CancellationToken cancellationToken)
    {
        var operation = type == DatasetType.Items ? "PutItems" : "PutUsers";
        var errors = new RequestErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", $"The body must be a JSON object, not {RequestErrors.Describe(body)}.");
            errors.ThrowIfAny($"The {operation} request is invalid");
        }

        var datasetArn = errors.String(body, "datasetArn", "datasetArn", 256, required: true);
        var entries = new List<(string Path, string Id, string Properties)>();
        if (!body.TryGetProperty(listName, out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxRecords)
        {
            errors.Add(listName, $"{listName} must be an array of 1 to {MaxRecords} records.");
        }
        else
        {
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                var path = $"{listName}[{index++}]";
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(path, $"A record must be a JSON object, not {RequestErrors.Describe(element)}.");
                    continue;
                }

                var id = errors.Id(element, idName, path + "." + idName, required: true);
                var properties = errors.String(element, "properties", path + ".properties", maxPropertiesLength) ?? "{}";
                if (id is not null)
                {
                    entries.Add((path, id, properties));
                }
            }
        }

        errors.ThrowIfAny($"The {operation} request is invalid");

        var dataset = (await datasets.DescribeAsync(datasetArn, cancellationToken)).Value;
        if (dataset.DatasetType != type)
        {
            throw new InvalidInputException("datasetArn", $"{operation} needs the {type} dataset; '{dataset.Arn}' is the {dataset.DatasetType} dataset.");
        }

        var schema = (await schemas.DescribeAsync(dataset.SchemaArn, cancellationToken)).Value;
        var parsed = schema.Parse();
        var now = timeProvider.GetUtcNow();
        var result = new List<DatasetRecord>(entries.Count);
        foreach (var (path, id, properties) in entries)
        {
            var fields = ReadProperties(properties, parsed, schema.Name, path + ".properties", errors);
            if (fields is not null)
            {
                // A later record with the same id wins, as a later call would.
                result.RemoveAll(r => r.Id == id);
                result.Add(new DatasetRecord(id, fields, now));
            }
        }

        errors.ThrowIfAny($"The {operation} request is invalid");
        await records.UpsertAsync(dataset.DatasetGroup, type, result, cancellationToken);
        return result;
    }

    private static Dictionary<string, object?>? ReadProperties(string properties, DatasetSchema schema, string schemaName, string path, RequestErrors errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(properties);
        }
        catch (JsonException e)
        {
            errors.Add(path, "properties is not valid JSON: " + e.Message);
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, $"properties must be a JSON object in a string, not {RequestErrors.Describe(document.RootElement)}.");
                return null;
            }

            var before = errors.Count;
            var idField = schema.DatasetType == DatasetType.Items ? ReservedFields.ItemId : ReservedFields.UserId;
            var byNormalized = schema.Fields.ToDictionary(f => Normalize(f.Name), StringComparer.Ordinal);
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var propertyPath = path + "." + property.Name;
                if (!byNormalized.TryGetValue(Normalize(property.Name), out var field))
                {
                    var known = string.Join(", ", schema.Fields.Where(f => f.Name != idField).Select(f => PropertyName(f.Name)));
                    errors.Add(propertyPath, $"The schema '{schemaName}' has no field '{property.Name}'; its fields are {known}.");
                    continue;
                }

                if (field.Name == idField)
                {
                    errors.Add(propertyPath, $"{field.Name} is the record's id; send it as {PropertyName(field.Name)} beside properties, not in them.");
                    continue;
                }

                if (fields.ContainsKey(field.Name))
                {
                    errors.Add(propertyPath, $"The field {field.Name} is given more than once.");
                    continue;
                }

                if (ReadValue(property.Value, field, propertyPath, errors, out var value))
                {
                    fields[field.Name] = value;
                }
            }

            foreach (var field in schema.Fields)
            {
                if (field.Name != idField && !field.IsNullable && !fields.ContainsKey(field.Name) && errors.Count == before)
                {
                    errors.Add(path + "." + PropertyName(field.Name), $"{PropertyName(field.Name)} is required: the schema's {field.Name} is not nullable.");
                }
            }

            return errors.Count == before ? fields : null;
        }
    }

    private static bool ReadValue(JsonElement value, SchemaField field, string path, RequestErrors errors, out object? result)
    {
        result = null;
        var name = PropertyName(field.Name);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!field.IsNullable)
            {
                errors.Add(path, $"{name} cannot be null: the schema's {field.Name} is not nullable.");
                return false;
            }

            return true;
        }

        // Personalize's examples send numbers and booleans as strings too ("{\"numberOfRatings\": \"12\"}").
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        var raw = text ?? (value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? value.GetRawText() : null);
        switch (field.Type)
        {
            case FieldType.String:
                if (text is null)
                {
                    errors.Add(path, $"{name} must be a string, not {RequestErrors.Describe(value)}.");
                    return false;
                }

                if (field.IsTextual)
                {
                    result = text.Length > PersonalizeLimits.MaxTextualValueLength ? text[..PersonalizeLimits.MaxTextualValueLength] : text;
                    return true;
                }

                var limit = field.IsCategorical ? PersonalizeLimits.MaxCategoricalValueLength : PersonalizeLimits.MaxStringValueLength;
                if (text.Length > limit)
                {
                    errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"{name} has {text.Length} characters; the limit is {limit}{(field.IsCategorical ? " for a categorical value (all '|'-separated values together)" : string.Empty)}."));
                    return false;
                }

                result = text;
                return true;

            case FieldType.Long when raw is not null && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                result = l;
                return true;
            case FieldType.Int when raw is not null && int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i):
                result = i;
                return true;
            case FieldType.Float when raw is not null && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && float.IsFinite((float)f):
                result = f;
                return true;
            case FieldType.Double when raw is not null && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                result = d;
                return true;
            case FieldType.Boolean when raw is "true" or "false":
                result = raw == "true";
                return true;
            default:
                var expected = field.Type switch
                {
                    FieldType.Long or FieldType.Int => "an integer",
                    FieldType.Float or FieldType.Double => "a number",
                    _ => "true or false",
                };
                errors.Add(path, $"{name} must be {expected} (schema type {field.AvroTypeJson}), not {(raw is null ? RequestErrors.Describe(value) : "'" + raw + "'")}.");
                return false;
        }
    }

    private static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
