using Recsys.Data.Export;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Data.Tests;

/// <summary>Exported CSV reads back through the importer unchanged; rows built from values convert to the field types.</summary>
public class CsvRecordWriterTests
{
    [Fact]
    public async Task Rows_written_as_csv_import_back_unchanged()
    {
        var source = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n\"u,1\",\"i \"\"x\"\"\",1700000000,click,1.25,\"a\nb\"\nu2,i2,1700000001,view,,\n";
        var (imported, sink) = await TestData.ImportAsync(source);
        Assert.True(imported.Succeeded, imported.FailureReason);

        // Into a batch (both AppendRow overloads), then out as CSV.
        var batch = new RecordBatch(TestData.Interactions, 4);
        var fields = TestData.Interactions.Fields;
        foreach (var row in sink.Rows)
        {
            batch.AppendRow(field => row[field.Ordinal]);
        }

        var copy = new RecordBatch(TestData.Interactions, 4);
        copy.AppendRow(batch, 1);
        copy.AppendRow(batch, 0);
        var text = new StringWriter();
        var writer = new CsvRecordWriter(text, TestData.Interactions);
        writer.WriteRow(copy, 1);
        writer.WriteRow(copy, 0);
        writer.WriteRow(field => field.Name switch
        {
            ReservedFields.UserId => "u3",
            ReservedFields.ItemId => "i3",
            ReservedFields.Timestamp => 1_700_000_002L,
            ReservedFields.EventType => "buy",
            ReservedFields.EventValue => 0.1f,
            _ => null,
        });

        Assert.Equal(3, writer.Rows);
        Assert.StartsWith(string.Join(',', fields.Select(f => f.Name)) + "\n", text.ToString(), StringComparison.Ordinal);
        var (again, back) = await TestData.ImportAsync(text.ToString());
        Assert.True(again.Succeeded, again.FailureReason);
        Assert.Equal(sink.Rows[0], back.Rows[0]);
        Assert.Equal(sink.Rows[1], back.Rows[1]);
        Assert.Equal(new string?[] { "u3", "i3", "1700000002", "buy", "0.1", null }, back.Rows[2]);
    }

    [Fact]
    public void A_full_batch_refuses_another_row()
    {
        var batch = new RecordBatch(TestData.Interactions, 1);
        batch.AppendRow(field => field.Name switch { ReservedFields.Timestamp => "5", ReservedFields.EventValue or "DEVICE" => null, _ => "x" });
        Assert.Equal(5, batch.GetColumn<long>(ReservedFields.Timestamp)[0]);
        Assert.Throws<InvalidOperationException>(() => batch.AppendRow(batch, 0));
    }
}
