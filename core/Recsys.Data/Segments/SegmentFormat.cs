using Parquet;
using Parquet.Schema;
using Recsys.Data.Schemas;

namespace Recsys.Data.Segments;

/// <summary>How a dataset schema is laid out in a Parquet segment.</summary>
internal static class SegmentFormat
{
    public const string SchemaKey = "recsys.schema";
    public const string DatasetTypeKey = "recsys.datasetType";
    public const string FormatVersionKey = "recsys.segmentVersion";
    public const string FormatVersion = "1";

    /// <summary>
    /// One Parquet column per schema field, named after it. Strings are stored as required columns with null as the
    /// empty string (Personalize's CSV semantics, and Parquet.Net 6 loses nulls in nullable string columns).
    /// </summary>
    public static ParquetSchema ToParquet(DatasetSchema schema) => new(schema.Fields.Select(ToDataField));

    public static ParquetOptions Options(DatasetSchema schema)
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
        foreach (var field in schema.Fields)
        {
            if (field.Type == FieldType.String && !field.IsTextual)
            {
                options.ColumnEncodingHints[field.Name] = EncodingHint.Dictionary;
            }
            else if (field.Type is FieldType.Long or FieldType.Int)
            {
                options.ColumnEncodingHints[field.Name] = EncodingHint.DeltaBinaryPacked;
            }
        }

        return options;
    }

    private static DataField ToDataField(SchemaField field) => field.Type switch
    {
        FieldType.String => new DataField<string>(field.Name, false),
        FieldType.Long => field.IsNullable ? new DataField<long?>(field.Name) : new DataField<long>(field.Name),
        FieldType.Int => field.IsNullable ? new DataField<int?>(field.Name) : new DataField<int>(field.Name),
        FieldType.Float => field.IsNullable ? new DataField<float?>(field.Name) : new DataField<float>(field.Name),
        FieldType.Double => field.IsNullable ? new DataField<double?>(field.Name) : new DataField<double>(field.Name),
        FieldType.Boolean => field.IsNullable ? new DataField<bool?>(field.Name) : new DataField<bool>(field.Name),
        _ => throw new InvalidOperationException($"Unknown field type {field.Type}."),
    };
}
