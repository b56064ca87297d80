using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Recsys.Data.Schemas;

/// <summary>
/// A parsed and validated Personalize schema: an Avro <c>record</c> with flat fields, checked against the rules of its
/// <see cref="DatasetType"/>. Create one with <see cref="Parse"/> or <see cref="TryParse"/>; build one in code with
/// <see cref="Create"/>.
/// </summary>
public sealed class DatasetSchema
{
    /// <summary>The namespace Personalize's examples use.</summary>
    public const string DefaultNamespace = "com.amazonaws.personalize.schema";

    private readonly Dictionary<string, SchemaField> _byName;

    private DatasetSchema(DatasetType datasetType, string name, string? @namespace, IReadOnlyList<SchemaField> fields)
    {
        DatasetType = datasetType;
        Name = name;
        Namespace = @namespace;
        Fields = fields;
        _byName = new Dictionary<string, SchemaField>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in fields)
        {
            _byName[field.Name] = field;
        }
    }

    /// <summary>The dataset type the schema was validated for.</summary>
    public DatasetType DatasetType { get; }

    /// <summary>The record name (Personalize's examples use the dataset type, e.g. <c>Interactions</c>).</summary>
    public string Name { get; }

    /// <summary>The record namespace, if any.</summary>
    public string? Namespace { get; }

    /// <summary>The fields in schema order.</summary>
    public IReadOnlyList<SchemaField> Fields { get; }

    /// <summary>Finds a field by name, ignoring case.</summary>
    public bool TryGetField(string name, [NotNullWhen(true)] out SchemaField? field) => _byName.TryGetValue(name, out field);

    /// <summary>Finds a field by name, ignoring case, or returns null.</summary>
    public SchemaField? FindField(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Parses and validates a schema document.
    /// </summary>
    /// <param name="json">The Avro JSON schema, as given to Personalize's <c>CreateSchema</c>.</param>
    /// <param name="datasetType">The dataset type whose rules apply.</param>
    /// <exception cref="InvalidSchemaException">The schema breaks one or more rules; all of them are listed.</exception>
    public static DatasetSchema Parse(string json, DatasetType datasetType)
    {
        ArgumentNullException.ThrowIfNull(json);
        return TryParse(json, datasetType, out var schema, out var errors) ? schema : throw new InvalidSchemaException(errors);
    }

    /// <summary>
    /// Parses and validates a schema document without throwing for invalid schemas.
    /// </summary>
    /// <param name="json">The Avro JSON schema.</param>
    /// <param name="datasetType">The dataset type whose rules apply.</param>
    /// <param name="schema">The schema, when valid.</param>
    /// <param name="errors">Every problem found, by JSON path; empty when valid.</param>
    /// <returns>True when the schema is valid.</returns>
    public static bool TryParse(
        string json,
        DatasetType datasetType,
        [NotNullWhen(true)] out DatasetSchema? schema,
        out IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(json);
        var parser = new SchemaParser(datasetType);
        schema = parser.Parse(json);
        errors = parser.Errors;
        return schema is not null;
    }

    /// <summary>
    /// Builds a schema in code and validates it as <see cref="Parse"/> would.
    /// </summary>
    /// <param name="datasetType">The dataset type whose rules apply.</param>
    /// <param name="fields">The fields in order.</param>
    /// <exception cref="InvalidSchemaException">The fields break one or more rules.</exception>
    public static DatasetSchema Create(DatasetType datasetType, params IEnumerable<FieldDefinition> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return Parse(ToJson(datasetType.ToString(), DefaultNamespace, fields), datasetType);
    }

    /// <summary>Writes the schema as Personalize-style Avro JSON.</summary>
    public string ToJson() => ToJson(
        Name,
        Namespace,
        Fields.Select(f => new FieldDefinition(f.Name, f.Type, f.IsNullable, f.IsCategorical, f.IsTextual)));

    internal static DatasetSchema CreateValidated(DatasetType datasetType, string name, string? @namespace, IReadOnlyList<SchemaField> fields)
        => new(datasetType, name, @namespace, fields);

    private static string ToJson(string name, string? @namespace, IEnumerable<FieldDefinition> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "record");
            writer.WriteString("name", name);
            if (@namespace is not null)
            {
                writer.WriteString("namespace", @namespace);
            }

            writer.WriteStartArray("fields");
            foreach (var field in fields)
            {
                writer.WriteStartObject();
                writer.WriteString("name", field.Name);
                var typeName = SchemaField.AvroTypeName(field.Type);
                if (field.IsNullable)
                {
                    writer.WriteStartArray("type");
                    writer.WriteStringValue("null");
                    writer.WriteStringValue(typeName);
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteString("type", typeName);
                }

                if (field.IsCategorical)
                {
                    writer.WriteBoolean("categorical", true);
                }

                if (field.IsTextual)
                {
                    writer.WriteBoolean("textual", true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("version", "1.0");
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>A field to put in a schema built with <see cref="DatasetSchema.Create"/>.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Type">The value type.</param>
/// <param name="IsNullable">Whether the type is a union with <c>null</c>.</param>
/// <param name="IsCategorical">Whether the string field is categorical.</param>
/// <param name="IsTextual">Whether the string field is textual.</param>
public sealed record FieldDefinition(
    string Name,
    FieldType Type,
    bool IsNullable = false,
    bool IsCategorical = false,
    bool IsTextual = false);
