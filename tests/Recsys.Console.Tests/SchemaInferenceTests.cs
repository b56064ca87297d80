using System.Text.Json.Nodes;
using Recsys.Cli;

namespace Recsys.Console.Tests;

/// <summary>The quickstart's schema inference from a header and sampled rows, by Personalize's rules.</summary>
public sealed class SchemaInferenceTests
{
    [Fact]
    public void MovieLens_ratings_map_to_user_item_timestamp_and_event_value()
    {
        var schema = SchemaInference.Infer("ratings.csv", ["userId", "movieId", "rating", "timestamp"],
            [["1", "1", "4.0", "964982703"], ["1", "3", "4.5", "964981247"]], "Interactions");

        Assert.Equal(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_VALUE"], Names(schema));
        Assert.Equal("long", (string?)Field(schema, "TIMESTAMP")["type"]);
        Assert.Equal("float", (string?)Field(schema, "EVENT_VALUE")["type"]);

        // userId and timestamp match their fields ignoring case and '_' (as the import does); the others are mapped.
        Assert.Equal(new Dictionary<string, string> { ["movieId"] = "ITEM_ID", ["rating"] = "EVENT_VALUE" }, schema.ColumnMapping);
    }

    [Fact]
    public void Item_columns_become_categorical_numeric_or_one_textual_field()
    {
        var schema = SchemaInference.Infer("movies.csv", ["movieId", "title", "genres", "year", "studio"],
        [
            ["1", "Toy Story (1995) a long enough title", "Adventure|Animation", "1995", "Pixar"],
            ["2", "Jumanji (1995) another long title", "Adventure|Children", "1995", ""],
        ], "Items");

        Assert.Equal(["ITEM_ID", "TITLE", "GENRES", "YEAR", "STUDIO"], Names(schema));
        Assert.True((bool?)Field(schema, "TITLE")["textual"]);
        Assert.True((bool?)Field(schema, "GENRES")["categorical"]);
        Assert.True((bool?)Field(schema, "STUDIO")["categorical"]);
        Assert.Equal("float", Field(schema, "YEAR")["type"]![1]!.GetValue<string>());
        Assert.Equal("null", Field(schema, "STUDIO")["type"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Personalize_names_need_no_mapping_and_other_names_are_recognised()
    {
        var exact = SchemaInference.Infer("i.csv", ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"], [["u", "i", "1700000000", "click"]], "Interactions");
        var common = SchemaInference.Infer("i.csv", ["customer_id", "sku", "event", "ts"], [["c", "s", "view", "1700000000"]], "Interactions");

        Assert.Empty(exact.ColumnMapping);
        Assert.Equal(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"], Names(exact));
        Assert.Equal("USER_ID", common.ColumnMapping["customer_id"]);
        Assert.Equal("ITEM_ID", common.ColumnMapping["sku"]);
        Assert.Equal("EVENT_TYPE", common.ColumnMapping["event"]);
        Assert.Equal("TIMESTAMP", common.ColumnMapping["ts"]);
    }

    [Theory]
    [InlineData("userId,timestamp", "1,1700000000", "no column for ITEM_ID")]
    [InlineData("userId,itemId", "1,2", "no column for TIMESTAMP")]
    [InlineData("userId,itemId,timestamp", "1,2,2024-01-01", "needs Unix epoch seconds")]
    [InlineData("userId,itemId,timestamp", "1,2,1700000000000", "looks like epoch milliseconds")]
    public void What_cannot_be_decided_is_a_usage_error_that_says_what_to_change(string header, string row, string message)
    {
        var error = Assert.Throws<CliException>(() => SchemaInference.Infer("f.csv", header.Split(','), [row.Split(',')], "Interactions"));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("releaseYear", "RELEASE_YEAR")]
    [InlineData("genres", "GENRES")]
    [InlineData("avg rating", "AVG_RATING")]
    [InlineData("2nd", "F_2ND")]
    public void Header_names_become_schema_field_names(string header, string field)
        => Assert.Equal(field, SchemaInference.FieldName(header));

    [Theory]
    [InlineData("ratings.csv", "ratings")]
    [InlineData("/data/My Shop Events.csv.gz", "my-shop-events")]
    public void The_group_is_named_after_the_file(string file, string group)
        => Assert.Equal(group, QuickstartCommand.GroupName(file));

    private static string[] Names(InferredSchema schema) => [.. ((JsonArray)schema.Schema["fields"]!).Select(f => (string)f!["name"]!)];

    private static JsonObject Field(InferredSchema schema, string name) => ((JsonArray)schema.Schema["fields"]!).OfType<JsonObject>().Single(f => (string?)f["name"] == name);
}
