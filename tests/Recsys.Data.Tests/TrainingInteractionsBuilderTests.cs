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

    [Fact]
    public void Repeated_interactions_count_once_and_the_first_keeps_its_place()
    {
        var builder = new TrainingInteractionsBuilder();

        // "Import 1", then the same rows again ("import 2"), then the same events sent with PutEvents, and near misses.
        for (var copy = 0; copy < 3; copy++)
        {
            builder.Add("u1", "i1", 100, "click", null);
            builder.Add("u1", "i2", 100, "click", 2f);
            builder.Add("u2", "i1", 101, "buy", 9.5f);
        }

        builder.Add("u1", "i1", 101, "click", null);  // another second
        builder.Add("u1", "i1", 100, "view", null);   // another event type
        builder.Add("u1", "i2", 100, "click", 3f);    // another value
        builder.Add("u1", "i1", 100, null, null);     // no event type
        builder.Add("u3", "i1", 100, "click", null);  // another user
        var before = builder.Build();

        Assert.Equal(6, builder.RemoveDuplicates());
        var data = builder.Build();

        Assert.Equal(8, data.Count);
        Assert.Equal(
            ["u1/i1/100", "u1/i2/100", "u2/i1/101", "u1/i1/101", "u1/i1/100", "u1/i2/100", "u1/i1/100", "u3/i1/100"],
            Enumerable.Range(0, data.Count).Select(r => $"{data.Users[data.UserIndexes[r]]}/{data.Items[data.ItemIndexes[r]]}/{data.Timestamps[r]}"));
        Assert.Equal(2f, data.EventValues[1]);
        Assert.Equal(3f, data.EventValues[5]);
        Assert.Equal(14, before.Count);
        Assert.Equal(100L, before.Timestamps[3]); // the earlier snapshot keeps its rows
        Assert.Equal(0, builder.RemoveDuplicates());
    }

    [Fact]
    public void Removing_duplicates_from_a_large_random_set_matches_a_set_of_keys()
    {
        var random = new Random(7);
        var builder = new TrainingInteractionsBuilder();
        var seen = new HashSet<(string, string, long, string, float)>();
        var expected = new List<(string, string, long, string, float)>();
        for (var i = 0; i < 50_000; i++)
        {
            var row = ("u" + random.Next(500), "i" + random.Next(50), (long)random.Next(20), random.Next(2) == 0 ? "click" : "view", (float)random.Next(2));
            builder.Add(row.Item1, row.Item2, row.Item3, row.Item4, row.Item5);
            if (seen.Add(row))
            {
                expected.Add(row);
            }
        }

        var removed = builder.RemoveDuplicates();
        var data = builder.Build();

        Assert.Equal(50_000 - expected.Count, removed);
        Assert.Equal(expected, Enumerable.Range(0, data.Count).Select(r => (
            data.Users[data.UserIndexes[r]], data.Items[data.ItemIndexes[r]], data.Timestamps[r], data.EventTypes[data.EventTypeCodes[r]], data.EventValues[r])));
    }
}
