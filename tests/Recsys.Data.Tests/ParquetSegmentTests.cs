using Recsys.Data.Import;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;

namespace Recsys.Data.Tests;

public class ParquetSegmentTests
{
    [Fact]
    public async Task Imported_rows_round_trip_through_a_segment_with_nulls_and_several_row_groups()
    {
        var csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n" +
            string.Concat(Enumerable.Range(0, 25).Select(i => $"u{i % 7},i{i % 5},{1_700_000_000 + i},{(i % 2 == 0 ? "click" : "view")},{(i % 3 == 0 ? string.Empty : (i / 2.0).ToString(System.Globalization.CultureInfo.InvariantCulture))},{(i % 4 == 0 ? string.Empty : "phone")}\n"));
        var expected = await TestData.ImportAsync(csv);

        using var segment = new MemoryStream();
        await using (var writer = await ParquetSegmentWriter.CreateAsync(TestData.Interactions, new ForwardOnlyStream(segment)))
        {
            using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
            var result = await CsvDatasetReader.ReadAsync(input, TestData.Interactions, writer, new CsvImportOptions { BatchSize = 10 });
            Assert.True(result.Succeeded, result.FailureReason);
            Assert.Equal(25, writer.RowCount);
            Assert.Equal(3, writer.RowGroupCount);
        }

        segment.Position = 0;
        await using var reader = await ParquetSegmentReader.OpenAsync(segment);
        var actual = new CollectingSink();
        await foreach (var batch in reader.ReadBatchesAsync())
        {
            await actual.WriteAsync(batch);
        }

        Assert.Equal(25, reader.RowCount);
        Assert.Equal(3, reader.RowGroupCount);
        Assert.Equal(TestData.Interactions.ToJson(), reader.Schema.ToJson());
        Assert.Equal(expected.Sink.Rows, actual.Rows);
    }

    [Fact]
    public async Task Every_field_type_round_trips_and_projection_reads_only_requested_columns()
    {
        var schema = DatasetSchema.Create(
            DatasetType.Items,
            new FieldDefinition("ITEM_ID", FieldType.String),
            new FieldDefinition("COUNT", FieldType.Int, IsNullable: true),
            new FieldDefinition("SCORE", FieldType.Double),
            new FieldDefinition("WEIGHT", FieldType.Float, IsNullable: true),
            new FieldDefinition("ACTIVE", FieldType.Boolean, IsNullable: true),
            new FieldDefinition("CREATION_TIMESTAMP", FieldType.Long, IsNullable: true),
            new FieldDefinition("GENRES", FieldType.String, IsNullable: true, IsCategorical: true));
        const string csv = "ITEM_ID,COUNT,SCORE,WEIGHT,ACTIVE,CREATION_TIMESTAMP,GENRES\ni1,3,0.25,1.5,true,1600000000,A|B\ni2,,-1e3,,,,\ni3,-7,12,0,false,0,C\n";
        var expected = await TestData.ImportAsync(csv, schema);

        using var segment = new MemoryStream();
        await using (var writer = await ParquetSegmentWriter.CreateAsync(schema, segment))
        {
            await CsvDatasetReader.ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), schema, writer);
        }

        segment.Position = 0;
        await using var reader = await ParquetSegmentReader.OpenAsync(segment);
        var all = new CollectingSink();
        var projected = new CollectingSink();
        await foreach (var batch in reader.ReadBatchesAsync())
        {
            await all.WriteAsync(batch);
        }

        await foreach (var batch in reader.ReadBatchesAsync(["item_id", "GENRES"]))
        {
            await projected.WriteAsync(batch);
        }

        Assert.Equal(expected.Sink.Rows, all.Rows);
        Assert.Equal(new string?[] { "i1", null, "0", null, null, null, "A|B" }, projected.Rows[0]);
    }

    [Fact]
    public async Task A_parquet_file_without_a_recsys_schema_is_rejected()
    {
        using var file = new MemoryStream();
        var parquetSchema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<int>("X"));
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(parquetSchema, file))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(parquetSchema.DataFields[0], new[] { 1 }.AsMemory());
            group.CompleteValidate();
        }

        file.Position = 0;
        await Assert.ThrowsAsync<InvalidDataException>(() => ParquetSegmentReader.OpenAsync(file));
    }

    /// <summary>A write-only, non-seekable stream, like a blob upload stream.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
