using System.Text;
using Recsys.Core.Filters;
using Recsys.Data.Import;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Core.Tests.Filters;

/// <summary>A small catalogue and user base, read from CSV through the import reader into attribute indexes.</summary>
internal static class FilterTestData
{
    public static readonly DatasetSchema ItemsSchema = DatasetSchema.Create(
        DatasetType.Items,
        new FieldDefinition("ITEM_ID", FieldType.String),
        new FieldDefinition("GENRE", FieldType.String, IsNullable: true, IsCategorical: true),
        new FieldDefinition("COLOR", FieldType.String, IsNullable: true),
        new FieldDefinition("PRICE", FieldType.Float, IsNullable: true),
        new FieldDefinition("CREATION_TIMESTAMP", FieldType.Long),
        new FieldDefinition("DESCRIPTION", FieldType.String, IsNullable: true, IsTextual: true),
        new FieldDefinition("IN_STOCK", FieldType.Boolean));

    public static readonly DatasetSchema UsersSchema = DatasetSchema.Create(
        DatasetType.Users,
        new FieldDefinition("USER_ID", FieldType.String),
        new FieldDefinition("AGE", FieldType.Int),
        new FieldDefinition("MEMBERSHIP", FieldType.String, IsCategorical: true));

    public static readonly DatasetSchema InteractionsSchema = DatasetSchema.Create(
        DatasetType.Interactions,
        new FieldDefinition("USER_ID", FieldType.String),
        new FieldDefinition("ITEM_ID", FieldType.String),
        new FieldDefinition("TIMESTAMP", FieldType.Long),
        new FieldDefinition("EVENT_TYPE", FieldType.String));

    // i0..i5; i5 has no metadata row beyond its id being known to the model.
    public const string ItemsCsv = """
        ITEM_ID,GENRE,COLOR,PRICE,CREATION_TIMESTAMP,DESCRIPTION,IN_STOCK
        i0,comedy|drama,red,5,100,fun,true
        i1,comedy,blue,15,200,,true
        i2,horror,red,25,300,scary,false
        i3,drama,,35,400,,true
        i4,horror|comedy,green,,500,,true
        """;

    public const string UsersCsv = """
        USER_ID,AGE,MEMBERSHIP
        u0,25,gold
        u1,40,silver
        u2,17,gold|silver
        """;

    public static readonly string[] ItemIds = ["i0", "i1", "i2", "i3", "i4", "i5"];

    public static InMemoryAttributeIndex Items { get; } = Build("ITEM_ID", ItemsSchema, ItemsCsv, ItemIds);

    public static InMemoryAttributeIndex Users { get; } = Build("USER_ID", UsersSchema, UsersCsv, null);

    public static InMemoryAttributeIndex Build(string idField, DatasetSchema schema, string csv, IEnumerable<string>? knownIds)
    {
        var builder = new AttributeIndexBuilder(idField, knownIds);
        Read(schema, csv, builder);
        return builder.Build();
    }

    public static void Read(DatasetSchema schema, string csv, AttributeIndexBuilder builder)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.Replace("\r\n", "\n", StringComparison.Ordinal)));
        var result = CsvDatasetReader.ReadAsync(stream, schema, new BuilderSink(builder)).GetAwaiter().GetResult();
        if (result.FailureReason is not null || result.RowsRejected > 0)
        {
            throw new InvalidOperationException($"Test data rejected: {result.FailureReason} {result.RowsRejected}");
        }
    }

    private sealed class BuilderSink(AttributeIndexBuilder builder) : IRecordBatchSink
    {
        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            builder.Add(batch);
            return ValueTask.CompletedTask;
        }
    }
}
