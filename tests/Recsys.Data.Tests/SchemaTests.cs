using Recsys.Data.Schemas;

namespace Recsys.Data.Tests;

public class SchemaTests
{
    private static string Schema(string fields, string name = "Test") =>
        $$"""{"type":"record","name":"{{name}}","namespace":"com.amazonaws.personalize.schema","fields":[{{fields}}],"version":"1.0"}""";

    [Fact]
    public void Valid_interactions_schema_parses_with_typed_fields()
    {
        var schema = TestData.Interactions;

        Assert.Equal(DatasetType.Interactions, schema.DatasetType);
        Assert.Equal(6, schema.Fields.Count);
        Assert.Equal(FieldType.Long, schema.FindField("timestamp")!.Type);
        var value = schema.FindField("EVENT_VALUE")!;
        Assert.True(value.IsNullable);
        Assert.Equal(FieldType.Float, value.Type);
        var device = schema.FindField("DEVICE")!;
        Assert.True(device.IsCategorical);
        Assert.False(device.IsReserved);
        Assert.True(schema.FindField("USER_ID")!.IsReserved);
    }

    [Fact]
    public void Valid_items_schema_with_categorical_numeric_and_one_textual_field_parses()
    {
        var json = Schema("""
            {"name":"ITEM_ID","type":"string"},
            {"name":"GENRES","type":["null","string"],"categorical":true},
            {"name":"PRICE","type":"double"},
            {"name":"STOCK","type":"int"},
            {"name":"IN_STOCK","type":"boolean"},
            {"name":"DESCRIPTION","type":["null","string"],"textual":true},
            {"name":"CREATION_TIMESTAMP","type":"long"}
            """);

        var schema = DatasetSchema.Parse(json, DatasetType.Items);

        Assert.True(schema.FindField("DESCRIPTION")!.IsTextual);
        Assert.Equal(FieldType.Boolean, schema.FindField("IN_STOCK")!.Type);
    }

    [Fact]
    public void Valid_users_schema_parses()
    {
        var json = Schema("""{"name":"USER_ID","type":"string"},{"name":"MEMBERSHIP","type":"string","categorical":true},{"name":"AGE","type":["int","null"]}""");

        var schema = DatasetSchema.Parse(json, DatasetType.Users);

        Assert.True(schema.FindField("AGE")!.IsNullable);
    }

    [Fact]
    public void Schema_round_trips_through_json()
    {
        var again = DatasetSchema.Parse(TestData.Interactions.ToJson(), DatasetType.Interactions);

        Assert.Equal(TestData.Interactions.Fields.Select(f => f.ToString()), again.Fields.Select(f => f.ToString()));
        Assert.Equal(TestData.Interactions.Fields.Select(f => f.IsCategorical), again.Fields.Select(f => f.IsCategorical));
    }

    [Theory]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"}""", "fields", "TIMESTAMP")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"string"}""", "fields[2].type", "long")]
    [InlineData("""{"name":"USER_ID","type":["null","string"]},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}""", "fields[0].type", "cannot be nullable")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string","categorical":true}""", "fields[3].categorical", "cannot be categorical")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"NOTE","type":"string","textual":true}""", "fields[3].textual", "only allowed in Items")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"TAGS","type":{"type":"array","items":"string"}}""", "fields[3].type", "flat")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"X","type":"bytes"}""", "fields[3].type", "not supported")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"X","type":["null","string","long"]}""", "fields[3].type", "union")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"bad-name","type":"string"}""", "fields[3].name", "letters, digits")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"GENRES_FIELD_1","type":"string"},{"name":"GENRESFIELD1","type":"string"}""", "fields[4].name", "unique ignoring case")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"X","type":"long","categorical":true}""", "fields[3].categorical", "only string fields")]
    [InlineData("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"X","type":"string","categorical":"yes"}""", "fields[3].categorical", "true or false")]
    public void Invalid_interactions_schema_is_rejected_with_the_path(string fields, string path, string message)
    {
        var ok = DatasetSchema.TryParse(Schema(fields), DatasetType.Interactions, out var schema, out var errors);

        Assert.False(ok);
        Assert.Null(schema);
        Assert.True(errors.ContainsKey(path), $"Expected an error at {path}; got {string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(" ", e.Value)))}");
        Assert.Contains(errors[path], m => m.Contains(message, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Interactions_schema_with_more_than_five_metadata_fields_is_rejected()
    {
        var metadata = string.Join(",", Enumerable.Range(1, 6).Select(i => $$"""{"name":"CTX{{i}}","type":"string","categorical":true}"""));
        var json = Schema("""{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},""" + metadata);

        var ex = Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(json, DatasetType.Interactions));

        Assert.Contains(ex.Errors["fields"], m => m.Contains("at most 5", StringComparison.Ordinal));
    }

    [Fact]
    public void Items_schema_with_two_textual_fields_or_no_metadata_is_rejected()
    {
        var twoText = Schema("""{"name":"ITEM_ID","type":"string"},{"name":"A","type":"string","textual":true},{"name":"B","type":"string","textual":true}""");
        var noMetadata = Schema("""{"name":"ITEM_ID","type":"string"}""");

        Assert.Contains(Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(twoText, DatasetType.Items)).Errors["fields"], m => m.Contains("at most 1 textual", StringComparison.Ordinal));
        Assert.Contains(Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(noMetadata, DatasetType.Items)).Errors["fields"], m => m.Contains("at least one metadata", StringComparison.Ordinal));
    }

    [Fact]
    public void Items_and_users_field_count_limits_are_enforced()
    {
        var items = Schema("""{"name":"ITEM_ID","type":"string"},""" + string.Join(",", Enumerable.Range(1, 101).Select(i => $$"""{"name":"F{{i}}","type":"int"}""")));
        var users = Schema("""{"name":"USER_ID","type":"string"},""" + string.Join(",", Enumerable.Range(1, 26).Select(i => $$"""{"name":"F{{i}}","type":"int"}""")));

        Assert.Contains(Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(items, DatasetType.Items)).Errors["fields"], m => m.Contains("at most 100", StringComparison.Ordinal));
        Assert.Contains(Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(users, DatasetType.Users)).Errors["fields"], m => m.Contains("at most 25", StringComparison.Ordinal));
    }

    [Fact]
    public void Users_schema_without_user_id_is_rejected()
    {
        var json = Schema("""{"name":"ITEM_ID","type":"string"},{"name":"AGE","type":"int"}""");

        var ex = Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(json, DatasetType.Users));

        Assert.Contains(ex.Errors["fields"], m => m.Contains("USER_ID", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_together()
    {
        var json = """
            {"type":"enum","name":"Interactions","fields":[
              {"name":"USER_ID","type":"long"},
              {"name":"ITEM_ID"},
              {"name":"EVENT_VALUE","type":"float","categorical":true},
              {"name":"user-id","type":"string"},
              {"name":"TIMESTAMP","type":"long"},
              {"name":"TIMESTAMP","type":"long"}
            ]}
            """;

        var ex = Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(json, DatasetType.Interactions));

        Assert.Contains("type", ex.Errors.Keys);
        Assert.Contains("fields[0].type", ex.Errors.Keys);
        Assert.Contains("fields[1].type", ex.Errors.Keys);
        Assert.Contains("fields[2].categorical", ex.Errors.Keys);
        Assert.Contains("fields[3].name", ex.Errors.Keys);
        Assert.Contains("fields[5].name", ex.Errors.Keys);
        Assert.True(ex.Errors.Values.Sum(v => v.Length) >= 6);
        Assert.Contains("problems", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_and_oversized_schema_are_rejected()
    {
        Assert.Contains("$", Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse("{not json", DatasetType.Users)).Errors.Keys);

        var huge = Schema("""{"name":"USER_ID","type":"string"},{"name":"A","type":"string","categorical":true,"doc":" """ + new string('x', 20_000) + "\"}");
        var ex = Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Parse(huge, DatasetType.Users));
        Assert.Contains(ex.Errors["$"], m => m.Contains("20,000", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_builds_and_validates_schemas_in_code()
    {
        var schema = DatasetSchema.Create(
            DatasetType.Users,
            new FieldDefinition("USER_ID", FieldType.String),
            new FieldDefinition("TIER", FieldType.String, IsCategorical: true));

        Assert.Equal(2, schema.Fields.Count);
        Assert.Throws<InvalidSchemaException>(() => DatasetSchema.Create(DatasetType.Users, new FieldDefinition("TIER", FieldType.String)));
    }
}
