namespace Recsys.Data.Schemas;

/// <summary>One field of a <see cref="DatasetSchema"/>.</summary>
public sealed class SchemaField
{
    internal SchemaField(string name, FieldType type, bool isNullable, bool isCategorical, bool isTextual, int ordinal)
    {
        Name = name;
        Type = type;
        IsNullable = isNullable;
        IsCategorical = isCategorical;
        IsTextual = isTextual;
        Ordinal = ordinal;
    }

    /// <summary>The field name as declared in the schema, e.g. <c>USER_ID</c>.</summary>
    public string Name { get; }

    /// <summary>The value type.</summary>
    public FieldType Type { get; }

    /// <summary>True when the type is a union with <c>null</c>, e.g. <c>["null","string"]</c>; an empty CSV cell is then null.</summary>
    public bool IsNullable { get; }

    /// <summary>True for <c>"categorical": true</c> strings; values may hold several categories separated by <c>|</c>.</summary>
    public bool IsCategorical { get; }

    /// <summary>True for <c>"textual": true</c> strings (unstructured text, Items only).</summary>
    public bool IsTextual { get; }

    /// <summary>Zero-based position of the field in the schema.</summary>
    public int Ordinal { get; }

    /// <summary>True when the field is one of Personalize's reserved fields for the dataset type (e.g. <c>TIMESTAMP</c>).</summary>
    public bool IsReserved { get; internal init; }

    /// <summary>The Avro JSON type of the field, e.g. <c>"long"</c> or <c>["null","string"]</c>.</summary>
    public string AvroTypeJson => IsNullable ? $"[\"null\",\"{AvroTypeName(Type)}\"]" : $"\"{AvroTypeName(Type)}\"";

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {AvroTypeJson}";

    internal static string AvroTypeName(FieldType type) => type switch
    {
        FieldType.String => "string",
        FieldType.Long => "long",
        FieldType.Int => "int",
        FieldType.Float => "float",
        FieldType.Double => "double",
        FieldType.Boolean => "boolean",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
