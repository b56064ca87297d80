using Recsys.Data.Import;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;
using Recsys.Data.Training;

namespace Recsys.Data.Tests;

public class TrainingInteractionsBuilderTests
{
    [Fact]
    public async Task Segments_load_into_dense_arrays_with_id_maps()
    {
        const string csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\nu1,i1,100,click,\nu2,i1,101,purchase,9.5\nu1,i2,102,click,\nu3,i3,103,,\n";
        var schema = DatasetSchema.Create(
            DatasetType.Interactions,
            new FieldDefinition("USER_ID", FieldType.String),
            new FieldDefinition("ITEM_ID", FieldType.String),
            new FieldDefinition("TIMESTAMP", FieldType.Long),
            new FieldDefinition("EVENT_TYPE", FieldType.String, IsNullable: true),
            new FieldDefinition("EVENT_VALUE", FieldType.Float, IsNullable: true));
        using var segment = new MemoryStream();
        await using (var writer = await ParquetSegmentWriter.CreateAsync(schema, segment))
        {
            var result = await CsvDatasetReader.ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), schema, writer, new CsvImportOptions { BatchSize = 3 });
            Assert.Equal(4, result.RowsImported);
        }

        segment.Position = 0;
        var builder = new TrainingInteractionsBuilder();
        await builder.AddSegmentAsync(segment);
        var data = builder.Build();

        Assert.Equal(4, data.Count);
        Assert.Equal(["u1", "u2", "u3"], data.Users.Ids.ToArray());
        Assert.Equal(["i1", "i2", "i3"], data.Items.Ids.ToArray());
        Assert.Equal([0, 1, 0, 2], data.UserIndexes.ToArray());
        Assert.Equal([0, 0, 1, 2], data.ItemIndexes.ToArray());
        Assert.Equal([100L, 101, 102, 103], data.Timestamps.ToArray());
        Assert.Equal(["click", "purchase"], data.EventTypes.Ids.ToArray());
        Assert.Equal(new short[] { 0, 1, 0, -1 }, data.EventTypeCodes.ToArray());
        Assert.True(float.IsNaN(data.EventValues[0]));
        Assert.Equal(9.5f, data.EventValues[1]);
        Assert.True(data.Users.TryGetIndex("u2".AsSpan(), out var u2));
        Assert.Equal(1, u2);
        Assert.Equal("i3", data.Items[2]);
    }

    [Fact]
    public void Rows_appended_by_id_after_build_do_not_change_the_snapshot()
    {
        var builder = new TrainingInteractionsBuilder();
        builder.Add("u1", "i1", 100, "click", 1f);
        var before = builder.Build();

        for (var i = 0; i < 5_000; i++)
        {
            builder.Add("u" + (i % 50), "i" + (i % 70), 200 + i);
        }

        var after = builder.Build();

        Assert.Equal(1, before.Count);
        Assert.Equal(1, before.Users.Count);
        Assert.False(before.Users.TryGetIndex("u2", out _));
        Assert.Equal(5_001, after.Count);
        Assert.Equal(50, after.Users.Count);
        Assert.Equal(70, after.Items.Count);
        Assert.Equal(-1, after.EventTypeCodes[4_000]);
        Assert.Equal(0, before.EventTypeCodes[0]);
        Assert.Equal(after.Users.GetOrAdd("u7"), after.UserIndexes[8]);
    }
}
