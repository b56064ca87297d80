using System.Globalization;
using System.Text.Json;

namespace Recsys.Data.Schemas;

/// <summary>
/// Parses a Personalize Avro schema and checks it against the rules of one dataset type, collecting every problem
/// instead of stopping at the first.
/// </summary>
internal sealed class SchemaParser(DatasetType datasetType)
{
    private static readonly Dictionary<DatasetType, ReservedField[]> s_reserved = new()
    {
        [DatasetType.Interactions] =
        [
            new(ReservedFields.UserId, FieldType.String, Required: true, NullableAllowed: false),
            new(ReservedFields.ItemId, FieldType.String, Required: true, NullableAllowed: false),
            new(ReservedFields.Timestamp, FieldType.Long, Required: true, NullableAllowed: false),
            new(ReservedFields.EventType, FieldType.String, Required: false, NullableAllowed: true),
            new(ReservedFields.EventValue, FieldType.Float, Required: false, NullableAllowed: true),
            new(ReservedFields.Impression, FieldType.String, Required: false, NullableAllowed: true),
            new(ReservedFields.RecommendationId, FieldType.String, Required: false, NullableAllowed: true),
            new(ReservedFields.EventAttributionSource, FieldType.String, Required: false, NullableAllowed: true),
        ],
        [DatasetType.Items] =
        [
            new(ReservedFields.ItemId, FieldType.String, Required: true, NullableAllowed: false),
            new(ReservedFields.CreationTimestamp, FieldType.Long, Required: false, NullableAllowed: true),
        ],
        [DatasetType.Users] =
        [
            new(ReservedFields.UserId, FieldType.String, Required: true, NullableAllowed: false),
        ],
    };

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public DatasetSchema? Parse(string json)
    {
        if (!s_reserved.TryGetValue(datasetType, out var reserved))
        {
            throw new InvalidOperationException($"Unknown dataset type {datasetType}.");
        }

        if (json.Length > PersonalizeLimits.MaxSchemaLength)
        {
            Add("$", $"The schema is {json.Length:N0} characters long; the limit is {PersonalizeLimits.MaxSchemaLength:N0}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            Add("$", $"The schema is not valid JSON: {ex.Message}");
            return null;
        }

        using (document)
        {
            return ParseRecord(document.RootElement, reserved);
        }
    }

    private DatasetSchema? ParseRecord(JsonElement root, ReservedField[] reserved)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Add("$", "The schema must be a JSON object describing an Avro record.");
            return null;
        }

        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "record")
        {
            Add("type", "The schema's \"type\" must be \"record\".");
        }

        var name = datasetType.ToString();
        if (!root.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nameElement.GetString()))
        {
            Add("name", "The schema needs a \"name\" (e.g. \"" + datasetType + "\").");
        }
        else
        {
            name = nameElement.GetString()!;
        }

        string? @namespace = null;
        if (root.TryGetProperty("namespace", out var namespaceElement))
        {
            if (namespaceElement.ValueKind == JsonValueKind.String)
            {
                @namespace = namespaceElement.GetString();
            }
            else
            {
                Add("namespace", "\"namespace\" must be a string.");
            }
        }

        if (!root.TryGetProperty("fields", out var fieldsElement) || fieldsElement.ValueKind != JsonValueKind.Array)
        {
            Add("fields", "The schema needs a \"fields\" array.");
            return null;
        }

        var fields = new List<SchemaField>();
        var normalizedNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in fieldsElement.EnumerateArray())
        {
            var field = ParseField(element, index, fields.Count, reserved, normalizedNames);
            if (field is not null)
            {
                fields.Add(field);
            }

            index++;
        }

        CheckDatasetRules(fields, reserved);
        return _errors.Count == 0 ? DatasetSchema.CreateValidated(datasetType, name, @namespace, fields) : null;
    }

    private SchemaField? ParseField(JsonElement element, int index, int ordinal, ReservedField[] reserved, Dictionary<string, string> normalizedNames)
    {
        var path = $"fields[{index}]";
        if (element.ValueKind != JsonValueKind.Object)
        {
            Add(path, "Each field must be a JSON object with a \"name\" and a \"type\".");
            return null;
        }

        string? name = null;
        if (!element.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(nameElement.GetString()))
        {
            Add(path + ".name", "The field needs a \"name\".");
        }
        else
        {
            name = nameElement.GetString()!;
            if (!IsValidName(name))
            {
                Add(path + ".name", $"Field name '{name}' must start with a letter or '_' and contain only letters, digits and '_'.");
            }
            else
            {
                var normalized = Normalize(name);
                if (normalizedNames.TryGetValue(normalized, out var existing))
                {
                    Add(path + ".name", string.Equals(existing, name, StringComparison.Ordinal)
                        ? $"Field '{name}' is declared more than once."
                        : $"Field '{name}' clashes with field '{existing}': names must be unique ignoring case and '_'.");
                }
                else
                {
                    normalizedNames[normalized] = name;
                }
            }
        }

        var label = name is null ? $"Field {index}" : $"Field '{name}'";
        var (fieldType, nullable) = ParseType(element, path, label);
        var categorical = ReadFlag(element, "categorical", path);
        var textual = ReadFlag(element, "textual", path);

        if (fieldType is not null && fieldType != FieldType.String)
        {
            if (categorical)
            {
                Add(path + ".categorical", $"{label} is {SchemaField.AvroTypeName(fieldType.Value)}; only string fields can be categorical.");
            }

            if (textual)
            {
                Add(path + ".textual", $"{label} is {SchemaField.AvroTypeName(fieldType.Value)}; only string fields can be textual.");
            }
        }

        if (categorical && textual)
        {
            Add(path, $"{label} cannot be both categorical and textual.");
        }

        if (textual && datasetType != DatasetType.Items)
        {
            Add(path + ".textual", $"{label}: textual fields are only allowed in Items schemas.");
        }

        var spec = name is null ? null : Array.Find(reserved, r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
        if (spec is not null && fieldType is not null)
        {
            if (fieldType != spec.Type)
            {
                var expected = spec.NullableAllowed ? $"\"{SchemaField.AvroTypeName(spec.Type)}\" or [\"null\",\"{SchemaField.AvroTypeName(spec.Type)}\"]" : $"\"{SchemaField.AvroTypeName(spec.Type)}\"";
                var hint = spec.Name is ReservedFields.Timestamp or ReservedFields.CreationTimestamp ? " (Unix epoch seconds)" : string.Empty;
                Add(path + ".type", $"Reserved field {spec.Name} must have type {expected}{hint}.");
            }
            else if (nullable && !spec.NullableAllowed)
            {
                Add(path + ".type", $"Reserved field {spec.Name} is required and cannot be nullable.");
            }

            if (categorical)
            {
                Add(path + ".categorical", $"Reserved field {spec.Name} cannot be categorical.");
            }

            if (textual)
            {
                Add(path + ".textual", $"Reserved field {spec.Name} cannot be textual.");
            }
        }

        if (name is null || fieldType is null)
        {
            return null;
        }

        return new SchemaField(spec?.Name ?? name, fieldType.Value, nullable, categorical, textual, ordinal) { IsReserved = spec is not null };
    }

    private (FieldType? Type, bool Nullable) ParseType(JsonElement element, string path, string label)
    {
        if (!element.TryGetProperty("type", out var type))
        {
            Add(path + ".type", $"{label} needs a \"type\".");
            return (null, false);
        }

        switch (type.ValueKind)
        {
            case JsonValueKind.String:
                return (ParsePrimitive(type.GetString()!, path + ".type", label), false);

            case JsonValueKind.Array:
                var members = type.EnumerateArray().ToList();
                var nulls = members.Count(m => m.ValueKind == JsonValueKind.String && m.GetString() == "null");
                var others = members.Where(m => !(m.ValueKind == JsonValueKind.String && m.GetString() == "null")).ToList();
                if (nulls != 1 || others.Count != 1 || others[0].ValueKind != JsonValueKind.String)
                {
                    Add(path + ".type", $"{label}: a union must be \"null\" and one primitive type, e.g. [\"null\",\"string\"].");
                    return (null, false);
                }

                return (ParsePrimitive(others[0].GetString()!, path + ".type", label), true);

            case JsonValueKind.Object when type.TryGetProperty("type", out var inner) && inner.ValueKind == JsonValueKind.String && IsPrimitive(inner.GetString()!):
                return (ParsePrimitive(inner.GetString()!, path + ".type", label), false);

            default:
                Add(path + ".type", $"{label}: nested types (record, array, map, enum, fixed) are not supported; schemas must be flat.");
                return (null, false);
        }
    }

    private FieldType? ParsePrimitive(string typeName, string path, string label)
    {
        switch (typeName)
        {
            case "string": return FieldType.String;
            case "long": return FieldType.Long;
            case "int": return FieldType.Int;
            case "float": return FieldType.Float;
            case "double": return FieldType.Double;
            case "boolean": return FieldType.Boolean;
            case "null":
                Add(path, $"{label}: type \"null\" alone is not allowed; use a union such as [\"null\",\"string\"].");
                return null;
            case "record" or "array" or "map" or "enum" or "fixed":
                Add(path, $"{label}: nested types (record, array, map, enum, fixed) are not supported; schemas must be flat.");
                return null;
            default:
                Add(path, $"{label}: type \"{typeName}\" is not supported; use string, long, int, float, double or boolean.");
                return null;
        }
    }

    private bool ReadFlag(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return false;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Add(path + "." + property, $"\"{property}\" must be true or false.");
        return false;
    }

    private void CheckDatasetRules(List<SchemaField> fields, ReservedField[] reserved)
    {
        foreach (var spec in reserved.Where(r => r.Required))
        {
            if (!fields.Exists(f => string.Equals(f.Name, spec.Name, StringComparison.OrdinalIgnoreCase)))
            {
                var hint = spec.Type == FieldType.Long ? " (Unix epoch seconds)" : string.Empty;
                Add("fields", $"{datasetType} schemas need a {spec.Name} field of type \"{SchemaField.AvroTypeName(spec.Type)}\"{hint}.");
            }
        }

        var metadata = fields.Where(f => !f.IsReserved).ToList();
        switch (datasetType)
        {
            case DatasetType.Interactions:
                if (metadata.Count > PersonalizeLimits.MaxInteractionsMetadataFields)
                {
                    Add("fields", $"Interactions schemas allow at most {PersonalizeLimits.MaxInteractionsMetadataFields} metadata fields besides the reserved ones; this one has {metadata.Count} ({string.Join(", ", metadata.Select(f => f.Name))}).");
                }

                break;

            case DatasetType.Items:
                var itemMetadata = fields.Count(f => !string.Equals(f.Name, ReservedFields.ItemId, StringComparison.Ordinal));
                CheckMetadataCount(itemMetadata, PersonalizeLimits.MaxItemsMetadataFields);
                var textual = fields.Where(f => f.IsTextual).Select(f => f.Name).ToList();
                if (textual.Count > PersonalizeLimits.MaxTextualFields)
                {
                    Add("fields", $"Items schemas allow at most {PersonalizeLimits.MaxTextualFields} textual field; this one has {textual.Count} ({string.Join(", ", textual)}).");
                }

                break;

            case DatasetType.Users:
                CheckMetadataCount(fields.Count(f => !string.Equals(f.Name, ReservedFields.UserId, StringComparison.Ordinal)), PersonalizeLimits.MaxUsersMetadataFields);
                break;
        }
    }

    private void CheckMetadataCount(int count, int max)
    {
        var id = datasetType == DatasetType.Items ? ReservedFields.ItemId : ReservedFields.UserId;
        if (count == 0)
        {
            Add("fields", $"{datasetType} schemas need at least one metadata field besides {id} (categorical string, textual string or number).");
        }
        else if (count > max)
        {
            Add("fields", string.Create(CultureInfo.InvariantCulture, $"{datasetType} schemas allow at most {max} metadata fields; this one has {count}."));
        }
    }

    private void Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var list))
        {
            list = [];
            _errors[path] = list;
        }

        list.Add(message);
    }

    private static bool IsPrimitive(string name) => name is "string" or "long" or "int" or "float" or "double" or "boolean";

    private static bool IsValidName(string name)
    {
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Personalize's uniqueness rule: names must differ after removing '_' and ignoring case.</summary>
    internal static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private sealed record ReservedField(string Name, FieldType Type, bool Required, bool NullableAllowed);
}
