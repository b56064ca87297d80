using Recsys.Data.Import;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;
using Recsys.Data.Training;

namespace Recsys.Data.Tests;

/// <summary>
/// MovieLens' headers are not Personalize's: <c>userId</c> finds <c>USER_ID</c> by itself (names match ignoring case
/// and '_'), <c>timestamp</c> finds <c>TIMESTAMP</c>, and a column mapping sends <c>movieId</c> to <c>ITEM_ID</c> and
/// <c>rating</c> to <c>EVENT_VALUE</c>.
/// </summary>
public class MovieLensImportTests
{
    private static readonly Dictionary<string, string> s_mapping = new()
    {
        ["movieId"] = ReservedFields.ItemId,
        ["rating"] = ReservedFields.EventValue,
    };

    private static string DataFile(string name) => Path.Combine(TestData.SharedDirectory(), "data", "ml-latest-small", name);

    [Fact]
    public async Task Ratings_import_with_a_column_mapping_and_load_for_training()
    {
        var schema = DatasetSchema.Create(
            DatasetType.Interactions,
            new FieldDefinition(ReservedFields.UserId, FieldType.String),
            new FieldDefinition(ReservedFields.ItemId, FieldType.String),
            new FieldDefinition(ReservedFields.EventValue, FieldType.Float),
            new FieldDefinition(ReservedFields.Timestamp, FieldType.Long));
        using var segment = new MemoryStream();
        CsvImportResult result;
        await using (var csv = File.OpenRead(DataFile("ratings.csv")))
        await using (var writer = await ParquetSegmentWriter.CreateAsync(schema, segment))
        {
            result = await CsvDatasetReader.ReadAsync(csv, schema, writer, new CsvImportOptions { ColumnMapping = s_mapping, FileName = "ratings.csv" });
        }

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(100_836, result.RowsImported);
        Assert.Equal(0, result.RowsRejected);
        Assert.Equal(
            new Dictionary<string, string> { ["userId"] = "USER_ID", ["movieId"] = "ITEM_ID", ["rating"] = "EVENT_VALUE", ["timestamp"] = "TIMESTAMP" },
            result.ColumnMap);

        segment.Position = 0;
        var builder = new TrainingInteractionsBuilder();
        await builder.AddSegmentAsync(segment);
        var data = builder.Build();
        Assert.Equal(100_836, data.Count);
        Assert.Equal(610, data.Users.Count);
        Assert.Equal(9_724, data.Items.Count);
        Assert.Equal(4.0f, data.EventValues[0]);
        Assert.Equal(964_982_703L, data.Timestamps[0]);
    }

    [Fact]
    public async Task Movies_import_with_pipe_separated_genres()
    {
        var schema = DatasetSchema.Create(
            DatasetType.Items,
            new FieldDefinition(ReservedFields.ItemId, FieldType.String),
            new FieldDefinition("TITLE", FieldType.String),
            new FieldDefinition("GENRES", FieldType.String, IsCategorical: true));
        var sink = new CollectingSink();

        await using var csv = File.OpenRead(DataFile("movies.csv"));
        var result = await CsvDatasetReader.ReadAsync(csv, schema, sink, new CsvImportOptions { ColumnMapping = s_mapping });

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(9_742, result.RowsImported);
        Assert.Equal(0, result.RowsRejected);
        Assert.Equal(new string?[] { "1", "Toy Story (1995)", "Adventure|Animation|Children|Comedy|Fantasy" }, sink.Rows[0]);
        Assert.Contains(sink.Rows, r => r[1]!.Contains(',', StringComparison.Ordinal));
    }
}
